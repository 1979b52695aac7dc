import { describe, expect, it } from 'vitest';
import { randomKIndices, topKIndices } from './select-indices.js';
import { createRandom } from './testing/random.js';

/** The reference: sort by magnitude descending, ties by index ascending, keep k, list ascending. */
function referenceTopK(values: Float32Array, k: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b)
    .slice(0, k)
    .sort((a, b) => a - b);
}

describe('topKIndices', () => {
  it('matches a full sort on random tensors, with many ties', () => {
    const random = createRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + random.int(300);
      const values = Float32Array.from({ length: n }, () => (random.chance(0.3) ? random.pick([0, 1, -1, 0.5]) : random.next() - 0.5));
      const k = random.int(n + 1);

      expect(Array.from(topKIndices(values, k))).toEqual(referenceTopK(values, k));
    }
  });

  it('breaks ties at the threshold in favour of lower indices', () => {
    expect(Array.from(topKIndices(Float32Array.of(1, -3, 1, 3, 1, 1), 3))).toEqual([0, 1, 3]);
  });
});

describe('randomKIndices', () => {
  it('returns k distinct ascending indices for small and large k', () => {
    const random = createRandom(4);
    for (const [n, k] of [[100, 3], [100, 60], [7, 7], [1, 1], [10, 0]] as const) {
      const indices = Array.from(randomKIndices(n, k, random.next));

      expect(indices).toHaveLength(k);
      expect(new Set(indices).size).toBe(k);
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
      expect(indices.every((index) => index >= 0 && index < n)).toBe(true);
    }
  });

  it('picks every index about equally often', () => {
    const random = createRandom(8);
    const counts = new Array<number>(20).fill(0);
    const runs = 20_000;

    for (let run = 0; run < runs; run++) for (const index of randomKIndices(20, 5, random.next)) counts[index]!++;

    // Each index is kept with probability 1/4: 5,000 expected, standard deviation about 61.
    expect(counts.every((count) => Math.abs(count - runs / 4) < 5 * 61)).toBe(true);
  });
});
