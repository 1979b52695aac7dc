import { afterEach, describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { createHash } from 'node:crypto';
import { canonicalUpdateStatement, signStatement } from '@shoal/identity';
import { SqliteStore } from '../store/sqlite-store.js';
import { UpdateVerifier } from './update-verifier.js';

const keys = nacl.sign.keyPair();
const payload = new Uint8Array([1, 2, 3, 4]);
const upload = { jobId: 'job-1', round: 2, clientId: 'd-1', taskId: 't2-aa', payload };
const sign = (bytes: Uint8Array) =>
  Buffer.from(signStatement(canonicalUpdateStatement({ ...upload, payloadSha256: createHash('sha256').update(bytes).digest('hex') }), keys.secretKey)).toString('base64');

describe('UpdateVerifier', () => {
  let store: SqliteStore;
  afterEach(() => store.close());

  function enrolled(): UpdateVerifier {
    store = new SqliteStore(':memory:');
    const now = Date.now();
    store.devices.insertJoinToken({ id: 'jt-1', hash: 'h', uses: 1, usesLeft: 1, expiresAt: now + 60_000, labels: [], createdAt: now, createdBy: 'test', revokedAt: undefined });
    expect(store.devices.enrol({ clientId: 'd-1', publicKey: Buffer.from(keys.publicKey).toString('base64'), name: 'd', joinTokenId: 'jt-1', enrolledAt: now }, now)).toBe(true);
    return new UpdateVerifier(store.devices);
  }

  it('accepts a signed update of an enrolled device and returns the payload hash', () => {
    const verifier = enrolled();
    expect(verifier.verify({ ...upload, signature: sign(payload) }, { requireEnrolled: true }).payloadSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses unsigned, forged and revoked updates with their codes', () => {
    const verifier = enrolled();
    expect(() => verifier.verify({ ...upload, signature: undefined }, { requireEnrolled: false })).toThrow(expect.objectContaining({ code: 'UPDATE_UNSIGNED' }));
    expect(() => verifier.verify({ ...upload, signature: sign(new Uint8Array([9])) }, { requireEnrolled: false })).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    store.devices.revokeDevice('d-1', Date.now(), 'admin');
    expect(() => verifier.verify({ ...upload, signature: sign(payload) }, { requireEnrolled: false })).toThrow(expect.objectContaining({ code: 'DEVICE_REVOKED' }));
  });

  it('lets unenrolled clients through open jobs only', () => {
    const verifier = enrolled();
    const stranger = { ...upload, clientId: 'c-unknown', signature: undefined };
    expect(verifier.verify(stranger, { requireEnrolled: false }).payloadSha256).toBeUndefined();
    expect(() => verifier.verify(stranger, { requireEnrolled: true })).toThrow(expect.objectContaining({ code: 'DEVICE_NOT_ENROLLED' }));
  });
});
