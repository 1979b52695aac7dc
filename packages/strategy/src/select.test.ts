import { describe, expect, it } from 'vitest';
import { selectInPlace } from './select.js';
import { seeded } from './testing/envelopes.js';

describe('selectInPlace', () => {
  it('puts the k-th smallest value at k with nothing larger before it and nothing smaller after it', () => {
    const random = seeded(4);
    for (const length of [1, 2, 5, 17, 40, 101]) {
      for (let trial = 0; trial < 20; trial++) {
        // Many repeats, as in sparse updates, are the case a one-sided partition handles badly.
        const column = Float64Array.from({ length }, () => (random() < 0.5 ? 0 : Math.round(random() * 10)));
        const sorted = Array.from(column).sort((a, b) => a - b);
        const k = Math.floor(random() * length);

        selectInPlace(column, 0, length, k);

        expect(column[k]).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(column[i]).toBeLessThanOrEqual(column[k]!);
        for (let i = k + 1; i < length; i++) expect(column[i]).toBeGreaterThanOrEqual(column[k]!);
      }
    }
  });

  it('works on a sub-range and refuses k outside it', () => {
    const column = Float64Array.of(9, 5, 1, 4, 3, 2);
    selectInPlace(column, 2, 6, 3);
    expect(Array.from(column.subarray(0, 2))).toEqual([9, 5]);
    expect(column[3]).toBe(2);
    expect(() => selectInPlace(column, 2, 6, 1)).toThrow(RangeError);
  });
});
