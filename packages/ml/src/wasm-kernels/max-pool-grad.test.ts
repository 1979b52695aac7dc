import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, useBackend } from '../testing/test-support.js';
import { stockKernel } from './stock-kernels.js';

type Pool = { name: string; filter: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' };

const POOLS: Pool[] = [
  { name: '2x2 valid, stride 2 (the CNN preset)', filter: 2, strides: 2, pad: 'valid' },
  { name: '3x3 same, stride 2', filter: 3, strides: 2, pad: 'same' },
  { name: '3x2 same, strides [1, 2]', filter: [3, 2], strides: [1, 2], pad: 'same' },
];

function poolGradient(pool: Pool, values: Float32Array, shape: [number, number, number, number]): Float32Array {
  const x = tf.tensor4d(values, shape);
  const [grad] = tf.grads((input: tf.Tensor) =>
    tf.tidy(() => {
      const y = tf.maxPool(input as tf.Tensor4D, pool.filter, pool.strides, pool.pad);
      return y.mul(tf.tensor(randomValues(y.size, 2), y.shape)).sum();
    }),
  )([x]);
  const result = grad!.dataSync() as Float32Array;
  tf.dispose([x, grad!]);
  return result;
}

describe('MaxPoolGrad on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const pool of POOLS) {
    it(`matches cpu, negative inputs included: ${pool.name}`, async () => {
      const shape: [number, number, number, number] = [2, 8, 7, 3];
      const values = randomValues(2 * 8 * 7 * 3, 1);
      await useBackend('cpu');
      const expected = poolGradient(pool, values, shape);
      await useBackend('wasm');

      const actual = poolGradient(pool, values, shape);

      expect(relativeError(actual, expected)).toBeLessThan(1e-6);
    });
  }

  it('fixes the stock kernel, which drops windows whose maximum is negative', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const input = tf.tensor4d([-4, -1, -3, -2], [1, 2, 2, 1]);
    const dy = tf.tensor4d([1], [1, 1, 1, 1]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };

    const ours = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input }, attrs) as tf.Tensor;
    const stockInfo = stockKernel(tf.MaxPoolGrad)({ inputs: { dy, input }, backend, attrs }) as tf.TensorInfo;
    const stock = Array.from(backend.readSync(stockInfo.dataId) as Float32Array);
    backend.disposeData(stockInfo.dataId);

    expect(Array.from(ours.dataSync())).toEqual([0, 1, 0, 0]);
    expect(stock).not.toEqual([0, 1, 0, 0]); // if tfjs fixes this, the replacement can go
    tf.dispose([input, dy, ours]);
  });
});
