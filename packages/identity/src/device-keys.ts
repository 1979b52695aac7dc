/** A device's Ed25519 key pair, kept in its state directory as an owner-only file. */
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { ShoalError } from '@shoal/protocol';

export interface DeviceKeys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export const DEVICE_KEY_FILE = 'device-key.json';

/** Loads the device key, creating it on first use; refuses a key file others can read. */
export function loadOrCreateDeviceKeys(stateDir: string): DeviceKeys {
  const file = join(stateDir, DEVICE_KEY_FILE);
  if (existsSync(file)) {
    const mode = readMode(file);
    if ((mode & 0o077) !== 0) throw new ShoalError('FORBIDDEN', `${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ShoalError('VALIDATION_FAILED', `${file} is not valid JSON`, { cause: error });
    }
    const seed = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['seed'] : undefined;
    if (typeof seed !== 'string' || Buffer.from(seed, 'base64').length !== 32) throw new ShoalError('VALIDATION_FAILED', `${file} has no valid 32-byte seed`);
    return nacl.sign.keyPair.fromSeed(new Uint8Array(Buffer.from(seed, 'base64')));
  }
  const seed = nacl.randomBytes(32);
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify({ algorithm: 'ed25519', seed: Buffer.from(seed).toString('base64') }), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return nacl.sign.keyPair.fromSeed(seed);
}

function readMode(file: string): number {
  return statSync(file).mode & 0o777;
}
