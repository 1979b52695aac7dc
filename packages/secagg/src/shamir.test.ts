import { describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { shamirCombine, shamirSplit } from './shamir.js';

describe('Shamir secret sharing', () => {
  const secret = nacl.randomBytes(32);

  it('reconstructs from any t shares', () => {
    const shares = shamirSplit(secret, 4, 7);
    for (const pick of [[0, 1, 2, 3], [3, 4, 5, 6], [0, 2, 4, 6], [6, 1, 5, 0]]) {
      expect(shamirCombine(pick.map((i) => shares[i]!))).toEqual(secret);
    }
    expect(shamirCombine(shares)).toEqual(secret);
  });

  it('fails with fewer than t shares', () => {
    const shares = shamirSplit(secret, 4, 7);
    expect(() => shamirCombine(shares.slice(0, 3))).toThrow(/do not reconstruct/);
    expect(() => shamirCombine([shares[5]!])).toThrow(/do not reconstruct/);
  });

  it('detects a corrupted share and refuses malformed input', () => {
    const shares = shamirSplit(secret, 3, 5);
    const corrupted = shares.slice(0, 3).map((s) => ({ x: s.x, bytes: Uint8Array.from(s.bytes) }));
    corrupted[1]!.bytes[0]! ^= 1;
    expect(() => shamirCombine(corrupted)).toThrow(/do not reconstruct/);
    expect(() => shamirCombine([shares[0]!, shares[0]!])).toThrow(/distinct/);
    expect(() => shamirSplit(secret, 5, 4)).toThrow(RangeError);
  });
});
