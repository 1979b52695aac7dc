import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalUpdateStatement, signStatement } from './update-statement.js';
import { verifyStatement } from './verify-signature.js';
import { DEVICE_KEY_FILE, loadOrCreateDeviceKeys } from './device-keys.js';
import { checkJoinToken, issueJoinToken } from './join-tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('device keys', () => {
  it('are created once with owner-only permissions and reloaded identically', () => {
    const first = loadOrCreateDeviceKeys(dir);
    expect(statSync(join(dir, DEVICE_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDeviceKeys(dir).publicKey).toEqual(first.publicKey);
  });

  it('refuses a key file others can read', () => {
    chmodSync(join(dir, DEVICE_KEY_FILE), 0o644);
    expect(() => loadOrCreateDeviceKeys(dir)).toThrow(/readable by others/);
    chmodSync(join(dir, DEVICE_KEY_FILE), 0o600);
  });
});

describe('signed update statements', () => {
  const keys = loadOrCreateDeviceKeys(dir);
  const statement = { jobId: 'job-1', round: 3, clientId: 'c-1', taskId: 't3-aa', payloadSha256: createHash('sha256').update('frame').digest('hex') };
  const signature = signStatement(canonicalUpdateStatement(statement), keys.secretKey);

  it('verify with node:crypto when signed with tweetnacl', () => {
    expect(verifyStatement(canonicalUpdateStatement(statement), signature, keys.publicKey)).toBe(true);
  });

  it('do not verify for another round, job, client, task or payload, or a flipped bit', () => {
    for (const changed of [{ round: 4 }, { jobId: 'job-2' }, { clientId: 'c-2' }, { taskId: 't3-bb' }, { payloadSha256: '0'.repeat(64) }]) {
      expect(verifyStatement(canonicalUpdateStatement({ ...statement, ...changed }), signature, keys.publicKey)).toBe(false);
    }
    const forged = Uint8Array.from(signature);
    forged[10]! ^= 4;
    expect(verifyStatement(canonicalUpdateStatement(statement), forged, keys.publicKey)).toBe(false);
    expect(verifyStatement(canonicalUpdateStatement(statement), signature.subarray(0, 63), keys.publicKey)).toBe(false);
  });
});

describe('join tokens', () => {
  it('accept the issued token until it expires or is used up, and refuse others', () => {
    const { token, record } = issueJoinToken(2, 60_000, 1_000);
    expect(record.hash).not.toContain(token.split('.')[1]);
    expect(checkJoinToken(token, record, 2_000)).toEqual({ ok: true });
    expect(checkJoinToken(`${token}x`, record, 2_000)).toEqual({ ok: false, reason: 'unknown' });
    expect(checkJoinToken(token, record, 61_000)).toEqual({ ok: false, reason: 'expired' });
    expect(checkJoinToken(token, { ...record, usesLeft: 0 }, 2_000)).toEqual({ ok: false, reason: 'used up' });
    expect(checkJoinToken(token, undefined)).toEqual({ ok: false, reason: 'unknown' });
  });
});
