/**
 * Shamir t-of-n secret sharing over GF(2^8), byte by byte. A short SHA-512 tag is shared with the secret, so that
 * combining fewer than t shares (which yields an unrelated value) is detected instead of returning garbage.
 */
import nacl from 'tweetnacl';
import { ShoalError } from '@shoal/protocol';
import { gfDiv, gfMul } from './gf256.js';

export interface Share {
  /** The evaluation point, 1..255. */
  x: number;
  bytes: Uint8Array;
}

const TAG_BYTES = 8;

function tagOf(secret: Uint8Array): Uint8Array {
  return nacl.hash(secret).subarray(0, TAG_BYTES);
}

export function shamirSplit(secret: Uint8Array, threshold: number, shareCount: number, randomBytes: (n: number) => Uint8Array = nacl.randomBytes): Share[] {
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be >= 1, got ${threshold}`);
  if (!Number.isInteger(shareCount) || shareCount < threshold || shareCount > 255) {
    throw new RangeError(`shareCount must be in [threshold, 255], got ${shareCount}`);
  }
  const payload = new Uint8Array(secret.length + TAG_BYTES);
  payload.set(secret);
  payload.set(tagOf(secret), secret.length);
  const coefficients = randomBytes(payload.length * (threshold - 1));
  const shares: Share[] = Array.from({ length: shareCount }, (_, i) => ({ x: i + 1, bytes: new Uint8Array(payload.length) }));
  for (let byte = 0; byte < payload.length; byte++) {
    for (const share of shares) {
      // Horner: a0 + x(a1 + x(a2 + ...))
      let value = 0;
      for (let k = threshold - 2; k >= 0; k--) value = gfMul(value, share.x) ^ coefficients[byte * (threshold - 1) + k]!;
      share.bytes[byte] = gfMul(value, share.x) ^ payload[byte]!;
    }
  }
  return shares;
}

/** Lagrange interpolation at 0; throws when the shares are too few or inconsistent. */
export function shamirCombine(shares: readonly Share[]): Uint8Array {
  const first = shares[0];
  if (first === undefined) throw new ShoalError('VALIDATION_FAILED', 'no shares to combine');
  const xs = new Set(shares.map((share) => share.x));
  if (xs.size !== shares.length || shares.some((s) => s.x < 1 || s.x > 255 || s.bytes.length !== first.bytes.length)) {
    throw new ShoalError('VALIDATION_FAILED', 'shares must have distinct x in 1..255 and equal lengths');
  }
  const weights = shares.map((share, i) => {
    let weight = 1;
    shares.forEach((other, j) => {
      if (j !== i) weight = gfMul(weight, gfDiv(other.x, other.x ^ share.x));
    });
    return weight;
  });
  const payload = new Uint8Array(first.bytes.length);
  for (let byte = 0; byte < payload.length; byte++) {
    let value = 0;
    shares.forEach((share, i) => (value ^= gfMul(share.bytes[byte]!, weights[i]!)));
    payload[byte] = value;
  }
  const secret = payload.subarray(0, payload.length - TAG_BYTES);
  const tag = payload.subarray(payload.length - TAG_BYTES);
  if (!nacl.verify(tag, tagOf(secret))) {
    throw new ShoalError('CONFLICT', `the ${shares.length} shares do not reconstruct the secret (fewer than the threshold, or corrupted)`);
  }
  return Uint8Array.from(secret);
}
