import { describe, expect, it } from 'vitest';
import { arenaOf, createAccumulators } from './accumulators.js';
import { addScaledInto, sumOfSquares } from './tensor-kernels.js';
import { errorCodeOf } from './testing/error-code.js';
import { createRandom } from './testing/random.js';

/** Tensors of awkward lengths (not multiples of 4, one longer than the 64 KiB staging area) with random values. */
function randomTensors(seed: number, lengths: readonly number[]): Float32Array[] {
  const random = createRandom(seed);
  return lengths.map((length) => Float32Array.from({ length }, () => (random.next() - 0.5) * 8));
}

const LENGTHS = [3, 17, 40_003, 7];

/** The reference: the same rounding as the kernels, float32(t + float32(w·x)), in a plain loop. */
function reference(sum: readonly Float32Array[], values: readonly Float32Array[], weight: number): Float32Array[] {
  return sum.map((tensor, t) => tensor.map((value, i) => Math.fround(value + Math.fround(weight * values[t]![i]!))));
}

describe('addScaledInto', () => {
  it('adds into SIMD accumulators bit for bit as the scalar loop, from plain arrays and from another arena', () => {
    expect(arenaOf(createAccumulators([4])[0]!)).toBeDefined();
    const start = randomTensors(1, LENGTHS);
    const values = randomTensors(2, LENGTHS);
    const inArena = createAccumulators(LENGTHS);
    inArena.forEach((tensor, t) => tensor.set(values[t]!));
    for (const source of [values, inArena]) {
      const sum = createAccumulators(LENGTHS);
      sum.forEach((tensor, t) => tensor.set(start[t]!));

      addScaledInto(sum, source, 3);

      const expected = reference(start, values, 3);
      expect(sum.every((tensor, t) => tensor.every((value, i) => Object.is(value, expected[t]![i])))).toBe(true);
    }
  });

  it('falls back to the scalar loop for plain targets and weights that are not float32', () => {
    const values = randomTensors(3, LENGTHS);
    for (const [sum, weight] of [[randomTensors(4, LENGTHS), 2.5], [createAccumulators(LENGTHS), 0.1]] as const) {
      const start = sum.map((tensor) => Float32Array.from(tensor));

      addScaledInto(sum, values, weight);

      const expected = reference(start, values, weight);
      expect(sum.every((tensor, t) => tensor.every((value, i) => Object.is(value, expected[t]![i])))).toBe(true);
    }
  });

  it('refuses tensors that do not line up', () => {
    expect(errorCodeOf(() => addScaledInto(createAccumulators([4]), [new Float32Array(5)], 1))).toBe('SHAPE_MISMATCH');
    expect(errorCodeOf(() => addScaledInto(createAccumulators([4]), [], 1))).toBe('SHAPE_MISMATCH');
  });
});

describe('sumOfSquares', () => {
  it('equals the float64 sum of squares, in an arena, in plain arrays and in unaligned views', () => {
    const values = randomTensors(5, LENGTHS);
    let expected = 0;
    for (const tensor of values) for (const value of tensor) expected += value * value;
    const inArena = createAccumulators(LENGTHS);
    inArena.forEach((tensor, t) => tensor.set(values[t]!));
    const backing = new Float32Array(values[2]!.length + 1);
    backing.set(values[2]!, 1);
    const unaligned = [values[0]!, values[1]!, backing.subarray(1), values[3]!];

    for (const tensors of [values, inArena, unaligned]) expect(sumOfSquares(tensors)).toBeCloseTo(expected, 6);
  });

  it('does not overflow where float32 would: two values of 3e38', () => {
    expect(sumOfSquares([Float32Array.of(3e38, 0, 0, -3e38)])).toBeCloseTo(2 * Math.fround(3e38) ** 2, -60);
    expect(Number.isFinite(sumOfSquares([Float32Array.of(3e38, 0, 0, -3e38)]))).toBe(true);
  });
});
