/** Secret-sharing vectors (secure-aggregation.md §3): GF(2^8) products, Shamir splits with given coefficients, and combines. */
import nacl from 'tweetnacl';
import { shamirCombine, shamirSplit, type Share } from '@shoal/secagg';
import { createRandom } from '@shoal/codec/testing';
import { hex, type VectorSet } from './vector-set.js';

/** Carry-less multiplication reduced by x^8 + x^4 + x^3 + x + 1, written independently of @shoal/secagg's tables. */
export function gf256Multiply(a: number, b: number): number {
  let product = 0;
  let left = a;
  for (let right = b; right > 0; right >>= 1) {
    if (right & 1) product ^= left;
    left = left & 0x80 ? ((left << 1) ^ 0x11b) & 0xff : left << 1;
  }
  return product;
}

/** FIPS-197 §4.2's examples, the reduction step, inverses, and the identities. */
const PRODUCTS: Array<[number, number]> = [[0x57, 0x83], [0x57, 0x13], [0x02, 0x80], [0x53, 0xca], [0xff, 0xff], [0x01, 0xb6], [0x00, 0x9c], [0x8e, 0x03], [0xfe, 0xfe], [0x10, 0x10]];

interface SplitCase {
  name: string;
  threshold: number;
  shareCount: number;
  secretLength: number;
  seed: number;
}

const SPLITS: SplitCase[] = [
  { name: 'seed-3-of-5', threshold: 3, shareCount: 5, secretLength: 32, seed: 301 },
  { name: 'key-2-of-3', threshold: 2, shareCount: 3, secretLength: 32, seed: 302 },
  { name: 'all-4-of-4', threshold: 4, shareCount: 4, secretLength: 32, seed: 303 },
];

const shareJson = (share: Share) => ({ x: share.x, bytes: hex(share.bytes) });

function combineCases(shares: Share[], secret: Uint8Array) {
  const pick = (...xs: number[]) => xs.map((x) => shares[x - 1]!);
  const corrupted = pick(1, 2, 3).map((share, index) => ({ x: share.x, bytes: Uint8Array.from(share.bytes, (byte, at) => (index === 1 && at === 0 ? byte ^ 1 : byte)) }));
  const cases: Array<{ name: string; description: string; shares: Share[]; expected: { secret: string } | { refused: 'tag-mismatch' | 'invalid-shares' } }> = [
    { name: 'first-three', description: 'shares 1, 2, 3', shares: pick(1, 2, 3), expected: { secret: hex(secret) } },
    { name: 'any-order', description: 'shares 5, 3, 1: order does not matter', shares: pick(5, 3, 1), expected: { secret: hex(secret) } },
    { name: 'all-five', description: 'more than t shares', shares: pick(1, 2, 3, 4, 5), expected: { secret: hex(secret) } },
    { name: 'too-few', description: 't − 1 shares give another value, whose tag does not match', shares: pick(2, 4), expected: { refused: 'tag-mismatch' } },
    { name: 'corrupted', description: 'shares 1, 2, 3 with byte 0 of share 2 flipped', shares: corrupted, expected: { refused: 'tag-mismatch' } },
    { name: 'repeated-x', description: 'share 1 twice', shares: pick(1, 1, 2), expected: { refused: 'invalid-shares' } },
    { name: 'x-zero', description: 'a share at x = 0 (the secret itself is never a share)', shares: [{ x: 0, bytes: shares[0]!.bytes }, ...pick(2, 3)], expected: { refused: 'invalid-shares' } },
    { name: 'unequal-lengths', description: 'share 3 one byte short', shares: [...pick(1, 2), { x: 3, bytes: shares[2]!.bytes.subarray(1) }], expected: { refused: 'invalid-shares' } },
  ];
  return cases.map((entry) => {
    let outcome: string;
    try {
      outcome = hex(shamirCombine(entry.shares));
    } catch {
      outcome = 'refused';
    }
    const wanted = 'secret' in entry.expected ? entry.expected.secret : 'refused';
    if (outcome !== wanted) throw new Error(`shamir combine ${entry.name}: the reference gives ${outcome}, the vector says ${wanted}`);
    return { name: entry.name, description: entry.description, threshold: 3, shares: entry.shares.map(shareJson), expected: entry.expected };
  });
}

export function writeShamirVectors(set: VectorSet): string[] {
  const byte = (value: number) => value.toString(16).padStart(2, '0');
  const products = PRODUCTS.map(([a, b]) => ({ name: `gf256-${byte(a)}-${byte(b)}`, a, b, product: gf256Multiply(a, b) }));
  let combineFrom: { shares: Share[]; secret: Uint8Array } | undefined;
  const splits = SPLITS.map((split) => {
    const random = createRandom(split.seed);
    const secret = random.bytes(split.secretLength);
    const coefficients = random.bytes((split.secretLength + 8) * (split.threshold - 1));
    const shares = shamirSplit(secret, split.threshold, split.shareCount, (length) => {
      if (length !== coefficients.length) throw new Error(`shamirSplit asked for ${length} random bytes, expected ${coefficients.length}`);
      return coefficients;
    });
    if (split.name === 'seed-3-of-5') combineFrom = { shares, secret };
    const tag = nacl.hash(secret).subarray(0, 8);
    return { name: split.name, threshold: split.threshold, shareCount: split.shareCount, secret: hex(secret), tag: hex(tag), coefficients: hex(coefficients), shares: shares.map(shareJson) };
  });
  return [
    set.json('secure-aggregation/gf256.json', { kind: 'gf256-product', description: 'a · b in GF(2^8) with x^8 + x^4 + x^3 + x + 1 (0x11b)', vectors: products }),
    set.json('secure-aggregation/shamir-split.json', { kind: 'shamir-split', description: 'secret ‖ tag split with the given polynomial coefficients', vectors: splits }),
    set.json('secure-aggregation/shamir-combine.json', {
      kind: 'shamir-combine',
      description: 'shares of seed-3-of-5 (threshold 3) combined by Lagrange interpolation at 0, tag checked',
      vectors: combineCases(combineFrom!.shares, combineFrom!.secret),
    }),
  ];
}
