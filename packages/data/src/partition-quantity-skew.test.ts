import { describe, expect, it } from 'vitest';
import { partitionQuantitySkew } from './partition-quantity-skew.js';
import { coversExactlyOnce, shoalErrorFrom } from './testing/test-support.js';

describe('partitionQuantitySkew', () => {
  it('covers every example once with at least one example per client', () => {
    const partition = partitionQuantitySkew(60000, 100, { alpha: 0.5, seed: 1 });

    expect(coversExactlyOnce(partition, 60000)).toBe(true);
    expect(Math.min(...partition.map((client) => client.length))).toBeGreaterThanOrEqual(1);
  });

  it('spreads sizes widely for a small alpha and narrowly for a large one', () => {
    const ratio = (alpha: number) => {
      const sizes = partitionQuantitySkew(60000, 100, { alpha, seed: 4 }).map((client) => client.length).sort((a, b) => a - b);
      return sizes[89]! / sizes[10]!; // 90th over 10th percentile
    };

    expect(ratio(0.3)).toBeGreaterThan(20);
    expect(ratio(1000)).toBeLessThan(1.2);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const clients = (seed: number) => partitionQuantitySkew(1000, 10, { alpha: 1, seed }).map((client) => Array.from(client));

    expect(clients(5)).toEqual(clients(5));
    expect(clients(5)).not.toEqual(clients(6));
  });

  it.each([
    ['a negative alpha', () => partitionQuantitySkew(10, 2, { alpha: -1, seed: 1 }), /alpha/],
    ['more clients than examples', () => partitionQuantitySkew(3, 4, { alpha: 1, seed: 1 }), /4 clients.*3 examples/],
    ['a fractional count', () => partitionQuantitySkew(2.5, 1, { alpha: 1, seed: 1 }), /count/],
  ])('rejects %s', (_case, action, message) => {
    const error = shoalErrorFrom(action);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
