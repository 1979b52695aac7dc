/** Test support: a tiny model (a matrix, a vector, a scalar) and the shapes of the 2NN and CNN MNIST models. */
import type { NamedTensor, TensorSpec } from '@shoal/protocol';
import { elementCount } from '@shoal/protocol';

export const TINY_MODEL: readonly TensorSpec[] = Object.freeze([
  { name: 'dense/kernel', shape: [2, 3] },
  { name: 'dense/bias', shape: [3] },
  { name: 'temperature', shape: [] },
]);

/** The 2NN of McMahan et al. (2017): 784-200-200-10, 199,210 parameters. */
export const MNIST_2NN: readonly TensorSpec[] = Object.freeze([
  { name: 'fc1/kernel', shape: [784, 200] },
  { name: 'fc1/bias', shape: [200] },
  { name: 'fc2/kernel', shape: [200, 200] },
  { name: 'fc2/bias', shape: [200] },
  { name: 'fc3/kernel', shape: [200, 10] },
  { name: 'fc3/bias', shape: [10] },
]);

/** The CNN of McMahan et al. (2017): two 5×5 convolutions, a 512-unit dense layer, 1,663,370 parameters. */
export const MNIST_CNN: readonly TensorSpec[] = Object.freeze([
  { name: 'conv1/kernel', shape: [5, 5, 1, 32] },
  { name: 'conv1/bias', shape: [32] },
  { name: 'conv2/kernel', shape: [5, 5, 32, 64] },
  { name: 'conv2/bias', shape: [64] },
  { name: 'fc1/kernel', shape: [3136, 512] },
  { name: 'fc1/bias', shape: [512] },
  { name: 'output/kernel', shape: [512, 10] },
  { name: 'output/bias', shape: [10] },
]);

/** Deterministic values in (-magnitude, magnitude) for each spec, from a linear congruential generator. */
export function tensorsFor(specs: readonly TensorSpec[], seed = 1, magnitude = 1): NamedTensor[] {
  let state = seed >>> 0;
  return specs.map((spec) => ({
    name: spec.name,
    shape: [...spec.shape],
    values: Float32Array.from({ length: elementCount(spec.shape) }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state / 2 ** 32 - 0.5) * 2 * magnitude;
    }),
  }));
}

export function zeroTargets(specs: readonly TensorSpec[], fill = 0): Float32Array[] {
  return specs.map((spec) => new Float32Array(elementCount(spec.shape)).fill(fill));
}
