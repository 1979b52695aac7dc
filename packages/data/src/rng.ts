/** Deterministic random numbers: xoshiro128** seeded through SplitMix64, identical on every platform. */
import { ShoalError } from '@shoal/protocol';
import { forkKey, seedKey, splitMix64 } from './seed-mixing.js';

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, maxExclusive), unbiased; maxExclusive is an integer in [1, 2^32]. */
  nextInt(maxExclusive: number): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** An independent stream named by `label`; the same label always gives the same stream, whatever this one has drawn. */
  fork(label: string | number): Rng;
}

const TWO_POW_32 = 4294967296;

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** The raw xoshiro128** generator: four 32-bit words of state, one 32-bit output per step. */
export function xoshiro128StarStar(state: Uint32Array): () => number {
  if (state.length !== 4 || state.every((word) => word === 0)) {
    throw new ShoalError('INTERNAL', 'xoshiro128** needs four state words, not all zero');
  }
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  return () => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotateLeft(s3, 11);
    return result;
  };
}

function stateFromKey(key: bigint): Uint32Array {
  const [first = 0n, second = 0n] = splitMix64(key, 2);
  const state = new Uint32Array([
    Number(first & 0xffffffffn),
    Number(first >> 32n),
    Number(second & 0xffffffffn),
    Number(second >> 32n),
  ]);
  // Two consecutive SplitMix64 outputs are never both zero, but the generator must never see an all-zero state.
  if (state.every((word) => word === 0)) state[0] = 1;
  return state;
}

function rngFromKey(key: bigint): Rng {
  const nextUint32 = xoshiro128StarStar(stateFromKey(key));
  let spareNormal: number | undefined;

  const nextInt = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
      throw new ShoalError('VALIDATION_FAILED', `nextInt(maxExclusive) needs an integer in [1, 2^32], got ${maxExclusive}`);
    }
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
    let draw = nextUint32();
    while (draw >= limit) draw = nextUint32();
    return draw % maxExclusive;
  };

  return {
    next: () => nextUint32() / TWO_POW_32,
    nextInt,
    normal: () => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - nextUint32() / TWO_POW_32));
      const angle = (2 * Math.PI * nextUint32()) / TWO_POW_32;
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = nextInt(i + 1);
        const swapped = items[i] as T;
        items[i] = items[j] as T;
        items[j] = swapped;
      }
      return items;
    },
    fork: (label) => {
      if (typeof label === 'number' ? !Number.isFinite(label) : typeof label !== 'string') {
        throw new ShoalError('VALIDATION_FAILED', `fork(label) needs a string or finite number, got ${String(label)}`);
      }
      return rngFromKey(forkKey(key, label));
    },
  };
}

/** A generator for `seed`, any safe integer; the same seed gives the same sequence on every run and platform. */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new ShoalError('VALIDATION_FAILED', `seed must be a safe integer, got ${String(seed)}`, { details: { field: 'seed' } });
  }
  return rngFromKey(seedKey(seed));
}

/** A random permutation of 0..count-1 (Fisher–Yates on a typed array, for index lists too large for shuffle's T[]). */
export function permutation(rng: Rng, count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const swapped = order[i]!;
    order[i] = order[j]!;
    order[j] = swapped;
  }
  return order;
}
