/** Test support: averages many stochastic encodings, to test that a codec is unbiased. */
import type { Codec, CodecParams } from '../codec.js';
import { createRandom } from './random.js';

/** The element-wise mean of decode(encode(values)) over `runs` encodings drawn from a seeded source. */
export function meanDecoded(codec: Codec, values: Float32Array, params: CodecParams, runs: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const sum = new Float32Array(values.length);
  const total = new Float64Array(values.length);
  for (let run = 0; run < runs; run++) {
    sum.fill(0);
    codec.decodeInto(codec.encode(values, params, random.next), values.length, params, sum, 1);
    for (let index = 0; index < values.length; index++) total[index]! += sum[index]!;
  }
  return total.map((value) => value / runs);
}

/**
 * Indices where the mean strays from the input by more than `sigmas` standard errors, given a
 * bound on each element's standard deviation; an empty list means the codec looks unbiased.
 */
export function biasedElements(values: Float32Array, mean: Float64Array, deviationBound: (index: number) => number, runs: number, sigmas = 5): string[] {
  const problems: string[] = [];
  values.forEach((value, index) => {
    const tolerance = (sigmas * deviationBound(index)) / Math.sqrt(runs) + Math.abs(value) * 2 ** -20;
    if (Math.abs(mean[index]! - value) > tolerance) problems.push(`[${index}] input ${value}, mean ${mean[index]}, tolerance ${tolerance}`);
  });
  return problems;
}
