import { describe, expect, it } from 'vitest';
import { krum, krumScores, multiKrum } from './krum.js';

const update = (...values: number[]) => ({ weight: 1, values: [Float32Array.from(values)] });
// Points 0, 1, 2, 3 and an attacker at 100; with f = 1 each score sums the n − f − 2 = 2 smallest squared distances.
const points = () => [update(0), update(1), update(2), update(3), { ...update(100), weight: 1e6 }];

describe('krum', () => {
  it('scores each update by its nearest neighbours and picks the lowest', () => {
    // 0: 1 + 4; 1: 1 + 1; 2: 1 + 1; 3: 1 + 4; 100: 97² + 98² = 9409 + 9604.
    expect(krumScores(points(), 1)).toEqual([5, 2, 2, 5, 19013]);

    const result = krum(points(), 1);

    expect(result.selected).toEqual([1]); // tie with 2, broken by index
    expect(Array.from(result.update[0]!)).toEqual([1]);
  });

  it('multi-Krum averages the m best unweighted', () => {
    const result = multiKrum(points(), 1, 3);

    expect(result.selected).toEqual([1, 2, 0]);
    expect(Array.from(result.update[0]!)).toEqual([1]); // (1 + 2 + 0)/3
  });

  it('sums squared distances over all tensors', () => {
    const two = (a: number, b: number) => ({ weight: 1, values: [Float32Array.of(a), Float32Array.of(b)] });
    // Pairwise squared distances: (a,b) 1 + 0, (a,c) 0 + 4, (b,c) 1 + 4; f = 0 keeps n − 2 = 1 neighbour.
    expect(krumScores([two(0, 0), two(1, 0), two(0, 2)], 0)).toEqual([1, 1, 4]);
  });

  it('needs n ≥ 2f + 3', () => {
    expect(() => krum(points().slice(0, 4), 1)).toThrow(/n ≥ 2f \+ 3/);
    expect(() => multiKrum(points(), 1, 6)).toThrow(/keepClients/);
  });
});
