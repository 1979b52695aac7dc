/** Subsets of a LabeledExamples: an explicit selection, or a seeded train/eval split. */
import { ShoalError } from '@shoal/protocol';
import { assertIndices, featureSize, type LabeledExamples } from './examples.js';
import { createRng, permutation } from './rng.js';

/** A copy holding the listed examples in the listed order (repeats allowed). */
export function selectExamples(data: LabeledExamples, indices: ArrayLike<number>): LabeledExamples {
  assertIndices(indices, data.count);
  const rowLength = featureSize(data.featureShape);
  const features = new Float32Array(indices.length * rowLength);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    features.set(data.features.subarray(index * rowLength, (index + 1) * rowLength), i * rowLength);
    labels[i] = data.labels[index]!;
  }
  return { features, labels, count: indices.length, featureShape: [...data.featureShape], numClasses: data.numClasses };
}

/**
 * A seeded random split: round(count * evalFraction) examples go to eval, the rest to train.
 * Both parts keep the original order of their examples.
 */
export function splitExamples(data: LabeledExamples, evalFraction: number, seed: number): { train: LabeledExamples; eval: LabeledExamples } {
  if (typeof evalFraction !== 'number' || !(evalFraction >= 0 && evalFraction <= 1)) {
    throw new ShoalError('VALIDATION_FAILED', `evalFraction must be a number in [0, 1], got ${String(evalFraction)}`, { details: { field: 'evalFraction' } });
  }
  const order = permutation(createRng(seed).fork('split-examples'), data.count);
  const evalCount = Math.round(data.count * evalFraction);
  return {
    train: selectExamples(data, order.slice(evalCount).sort()),
    eval: selectExamples(data, order.slice(0, evalCount).sort()),
  };
}
