import { describe, expect, it } from 'vitest';
import { createRng, permutation, xoshiro128StarStar, type Rng } from './rng.js';
import { hashLabel, splitMix64 } from './seed-mixing.js';
import { shoalErrorFrom } from './testing/test-support.js';

function uint32s(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.next() * 2 ** 32);
}

function moments(values: number[]): { mean: number; variance: number; skewness: number; kurtosis: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const central = (power: number) => values.reduce((sum, value) => sum + (value - mean) ** power, 0) / values.length;
  const variance = central(2);
  return { mean, variance, skewness: central(3) / variance ** 1.5, kurtosis: central(4) / variance ** 2 };
}

describe('generator core', () => {
  it('matches the reference xoshiro128** output for state {1, 2, 3, 4}', () => {
    const next = xoshiro128StarStar(new Uint32Array([1, 2, 3, 4]));

    const outputs = Array.from({ length: 6 }, next);

    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('matches the reference SplitMix64 output for seed 1234567', () => {
    const outputs = splitMix64(1234567n, 3);

    expect(outputs).toEqual([6457827717110365317n, 3203168211198807973n, 9817491932198370423n]);
  });

  it('hashes number and string labels apart', () => {
    expect(hashLabel(1)).not.toBe(hashLabel('1'));
  });
});

describe('createRng', () => {
  it('produces a pinned sequence (checked against the C reference), so runs and platforms agree', () => {
    expect(uint32s(createRng(42), 4)).toEqual([1776835114, 4165204688, 17111135, 2317295270]);
    expect(uint32s(createRng(0), 4)).toEqual([3737715805, 2584255861, 2876756834, 3286328325]);
    expect(uint32s(createRng(-1), 4)).toEqual([477689756, 2493998634, 555695776, 607808419]);
  });

  it('repeats for the same seed and differs for another', () => {
    const sequence = (seed: number) => uint32s(createRng(seed), 16);

    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
    expect(sequence(2 ** 40)).not.toEqual(sequence(0));
  });

  it.each([1.5, Number.NaN, Infinity, 2 ** 53])('rejects the seed %s', (seed) => {
    expect(shoalErrorFrom(() => createRng(seed)).code).toBe('VALIDATION_FAILED');
  });

  it('draws next() uniformly in [0, 1)', () => {
    const rng = createRng(1);

    const values = Array.from({ length: 200_000 }, () => rng.next());

    const { mean, variance } = moments(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });

  it('draws nextInt() uniformly (chi-square below the 0.1% critical value)', () => {
    const rng = createRng(2);
    const counts = new Array<number>(10).fill(0);

    for (let i = 0; i < 100_000; i++) counts[rng.nextInt(10)]!++;

    const chiSquare = counts.reduce((sum, observed) => sum + (observed - 10_000) ** 2 / 10_000, 0);
    expect(chiSquare).toBeLessThan(27.88); // df = 9
  });

  it('handles the edges of nextInt and rejects bad bounds', () => {
    const rng = createRng(3);

    expect(rng.nextInt(1)).toBe(0);
    expect(rng.nextInt(2 ** 32)).toBeLessThan(2 ** 32);
    for (const bound of [0, -1, 2.5, 2 ** 32 + 1]) {
      expect(shoalErrorFrom(() => rng.nextInt(bound)).code).toBe('VALIDATION_FAILED');
    }
  });

  it('draws normal() with mean 0, variance 1, skewness 0 and kurtosis 3', () => {
    const rng = createRng(4);

    const { mean, variance, skewness, kurtosis } = moments(Array.from({ length: 200_000 }, () => rng.normal()));

    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(skewness)).toBeLessThan(0.03);
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.06);
  });

  it('shuffles in place into a permutation, reproducibly', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);

    const shuffled = createRng(5).shuffle(items);

    expect(shuffled).toBe(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffled).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(createRng(5).shuffle(Array.from({ length: 50 }, (_, i) => i))).toEqual(shuffled);
  });

  it('makes every position equally likely in permutation()', () => {
    const rng = createRng(6);
    const firstCounts = new Array<number>(5).fill(0);

    for (let i = 0; i < 50_000; i++) firstCounts[permutation(rng, 5)[0]!]!++;

    const chiSquare = firstCounts.reduce((sum, observed) => sum + (observed - 10_000) ** 2 / 10_000, 0);
    expect(chiSquare).toBeLessThan(18.47); // df = 4, 0.1%
  });
});

describe('Rng.fork', () => {
  it('depends only on the parent seed and the label, not on draws already made', () => {
    const parent = createRng(9);
    const before = uint32s(parent.fork('clients'), 8);

    uint32s(parent, 100);
    const after = uint32s(parent.fork('clients'), 8);

    expect(after).toEqual(before);
    expect(uint32s(createRng(9).fork('clients'), 8)).toEqual(before);
  });

  it('gives distinct streams for distinct labels, seeds and nesting', () => {
    const stream = (rng: Rng) => JSON.stringify(uint32s(rng, 8));
    const root = createRng(9);

    const streams = new Set([
      stream(createRng(9)),
      stream(root.fork('a')),
      stream(root.fork('b')),
      stream(root.fork(1)),
      stream(root.fork('1')),
      stream(root.fork('a').fork('b')),
      stream(root.fork('b').fork('a')),
      stream(createRng(10).fork('a')),
    ]);

    expect(streams.size).toBe(8);
  });

  it('is uncorrelated with its parent', () => {
    const parent = createRng(11);
    const child = parent.fork('child');

    const pairs = Array.from({ length: 50_000 }, () => [parent.next() - 0.5, child.next() - 0.5] as const);

    const covariance = pairs.reduce((sum, [a, b]) => sum + a * b, 0) / pairs.length;
    expect(Math.abs(covariance / (1 / 12))).toBeLessThan(0.02);
  });

  it('rejects a non-finite label', () => {
    expect(shoalErrorFrom(() => createRng(1).fork(Number.NaN)).code).toBe('VALIDATION_FAILED');
  });
});
