import { describe, expect, it } from 'vitest';
import { coordinateMedian } from './coordinate-median.js';
import { seeded } from './testing/envelopes.js';

const update = (...tensors: number[][]) => ({ weight: 1, values: tensors.map((values) => Float32Array.from(values)) });

describe('coordinateMedian', () => {
  it('takes the middle value per coordinate for odd n, whatever the weights', () => {
    const updates = [update([1, 5], [2]), update([3, -1], [2]), { ...update([100, 0], [2]), weight: 1000 }];

    const result = coordinateMedian(updates);

    expect(result.map((tensor) => Array.from(tensor))).toEqual([[3, 0], [2]]);
  });

  it('averages the two middle values for even n', () => {
    const updates = [update([1, 5], [2]), update([3, -1], [2]), update([100, 0], [2]), update([4, 7], [-2])];

    const result = coordinateMedian(updates);

    // {1, 3, 4, 100} → 3.5; {−1, 0, 5, 7} → 2.5; {−2, 2, 2, 2} → 2.
    expect(result.map((tensor) => Array.from(tensor))).toEqual([[3.5, 2.5], [2]]);
  });

  it('matches a sort-based median on many updates with repeated values', () => {
    const random = seeded(11);
    for (const count of [40, 41]) {
      const updates = Array.from({ length: count }, () => update(Array.from({ length: 50 }, () => (random() < 0.3 ? 0 : random() - 0.5))));

      const result = coordinateMedian(updates);

      for (let j = 0; j < 50; j++) {
        const sorted = updates.map((u) => u.values[0]![j]!).sort((a, b) => a - b);
        const expected = count % 2 === 1 ? sorted[count >> 1]! : (sorted[count / 2 - 1]! + sorted[count / 2]!) / 2;
        expect(result[0]![j]).toBe(Math.fround(expected));
      }
    }
  });

  it('refuses no updates and mismatched shapes', () => {
    expect(() => coordinateMedian([])).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'VALIDATION_FAILED' }));
    expect(() => coordinateMedian([update([1, 2]), update([1])])).toThrow(/tensor 0/);
  });
});
