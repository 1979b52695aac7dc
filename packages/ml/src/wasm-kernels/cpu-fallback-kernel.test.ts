import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, useBackend } from '../testing/test-support.js';
import { CPU_FALLBACK_KERNELS } from './cpu-fallback-kernel.js';

function depthwiseGradients(): Float32Array[] {
  const x = tf.tensor4d(randomValues(2 * 7 * 6 * 3, 1), [2, 7, 6, 3]);
  const filter = tf.tensor4d(randomValues(3 * 3 * 3 * 2, 2), [3, 3, 3, 2]);
  const grads = tf.grads((input: tf.Tensor, kernel: tf.Tensor) =>
    tf.tidy(() => {
      const y = tf.depthwiseConv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, 2, 'same');
      return y.mul(tf.tensor(randomValues(y.size, 3), y.shape)).sum();
    }),
  )([x, filter]);
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, filter, ...grads]);
  return values;
}

function embeddingGradient(): Float32Array {
  const table = tf.tensor2d(randomValues(6 * 4, 4), [6, 4]);
  const ids = tf.tensor1d([0, 3, 3, 5, 1, 3], 'int32');
  const [grad] = tf.grads((t: tf.Tensor) => tf.tidy(() => tf.gather(t, ids).mul(tf.range(1, 25).reshape([6, 4])).sum()))([table]);
  const values = grad!.dataSync() as Float32Array;
  tf.dispose([table, ids, grad!]);
  return values;
}

describe('cpu fallback kernels on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('fills exactly the kernels tfjs-backend-wasm lacks', () => {
    for (const kernelName of CPU_FALLBACK_KERNELS) expect(tf.getKernel(kernelName, 'wasm')).toBeDefined();
  });

  it('trains a depthwise convolution with the same gradients as cpu', async () => {
    await useBackend('cpu');
    const expected = depthwiseGradients();
    await useBackend('wasm');

    const actual = depthwiseGradients();

    expect(actual).toHaveLength(2);
    expect(relativeError(actual[0]!, expected[0]!)).toBeLessThan(1e-4);
    expect(relativeError(actual[1]!, expected[1]!)).toBeLessThan(1e-4);
  });

  it('differentiates gather (embeddings) through UnsortedSegmentSum', async () => {
    await useBackend('cpu');
    const expected = embeddingGradient();
    await useBackend('wasm');
    const buffersBefore = tf.backend().numDataIds();

    const actual = embeddingGradient();

    expect(relativeError(actual, expected)).toBeLessThan(1e-6);
    expect(Array.from(actual.subarray(8, 12))).toEqual([0, 0, 0, 0]); // row 2 is never gathered
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });
});
