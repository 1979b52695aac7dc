import { describe, expect, it } from 'vitest';
import { outlierFlags } from './outlier-flags.js';

describe('outlierFlags', () => {
  it('flags values whose robust z-score exceeds 3.5', () => {
    // median 1.025, MAD 0.075: z(10) = 0.6745·8.975/0.075 ≈ 80.7, z(1.1) ≈ 0.67.
    expect(outlierFlags([1, 1.1, 0.9, 1.05, 0.95, 10])).toEqual([false, false, false, false, false, true]);
  });

  it('is one-sided: small norms and distances are not suspicious', () => {
    expect(outlierFlags([1, 1.1, 0.9, 1.05, 0.95, -10])).toEqual([false, false, false, false, false, false]);
  });

  it('falls back to the mean absolute deviation when more than half the values are equal', () => {
    // MAD = 0; mean absolute deviation 3/5, scale 1.2533·0.6 ≈ 0.752, z(5) ≈ 3.99.
    expect(outlierFlags([2, 2, 2, 2, 5])).toEqual([false, false, false, false, true]);
    expect(outlierFlags([2, 2, 2, 2, 5], 4.5)).toEqual([false, false, false, false, false]);
  });

  it('ignores float rounding among equal values, and flags nothing when all are equal', () => {
    expect(outlierFlags([1, 1, 1, 1, 1 + 1e-7])).toEqual([false, false, false, false, false]);
    expect(outlierFlags([3, 3, 3])).toEqual([false, false, false]);
    expect(outlierFlags([0, 0, 0])).toEqual([false, false, false]);
    expect(outlierFlags([])).toEqual([]);
  });

  it('refuses a threshold that is not positive', () => {
    expect(() => outlierFlags([1], 0)).toThrow(/threshold/);
  });
});
