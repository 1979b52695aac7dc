/** Helpers for tests that train and compare models (@shoal/ml/testing). */
import * as tf from '@tensorflow/tfjs';
import { ShoalError, type NamedTensor } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import { BACKEND_LOADERS } from '../backend-loaders.js';
import { seededRandom } from '../seeded-order.js';

/** Brings up wasm (with Shoal's kernels) and cpu directly, so tests do not depend on SHOAL_BACKEND. */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (!loaded.has(name)) {
    await BACKEND_LOADERS[name]();
    loaded.add(name);
  }
  await tf.setBackend(name);
}

const loaded = new Set<string>();

/** Deterministic values in [-1, 1). */
export function randomValues(count: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = random() * 2 - 1;
  return values;
}

/** max |actual - expected| relative to max |expected|. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / Math.max(scale, 1e-12);
}

/**
 * A learnable stand-in for MNIST: class c lights up the c-th block of features, over seeded noise.
 * Shape [featureCount] or any shape with that many elements.
 */
export function syntheticExamples(count: number, featureShape: number[], seed: number, numClasses = 10): LabeledExamples {
  const perExample = featureShape.reduce((product, dim) => product * dim, 1);
  const block = Math.floor(perExample / numClasses);
  const random = seededRandom(seed);
  const features = new Float32Array(count * perExample);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = Math.floor(random() * numClasses);
    labels[i] = label;
    for (let j = 0; j < perExample; j++) features[i * perExample + j] = random() * 0.3;
    for (let j = label * block; j < (label + 1) * block; j++) features[i * perExample + j] = 0.7 + random() * 0.3;
  }
  return { features, labels, count, featureShape, numClasses };
}

/** Runs `action` and returns the ShoalError it threw or rejected with; fails otherwise. */
export async function shoalErrorFrom(action: () => unknown): Promise<ShoalError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ShoalError) return error;
    throw new Error(`expected a ShoalError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ShoalError, but nothing was thrown');
}

/** Bitwise equality of two weight lists; vitest's deep toEqual is slow on arrays of a million floats. */
export function sameTensors(a: NamedTensor[], b: NamedTensor[]): boolean {
  return (
    a.length === b.length &&
    a.every((tensor, i) => {
      const other = b[i]!;
      return (
        tensor.name === other.name &&
        tensor.shape.join() === other.shape.join() &&
        Buffer.compare(new Uint8Array(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength), new Uint8Array(other.values.buffer, other.values.byteOffset, other.values.byteLength)) === 0
      );
    })
  );
}
