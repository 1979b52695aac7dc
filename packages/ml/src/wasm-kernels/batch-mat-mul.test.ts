import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, useBackend } from '../testing/test-support.js';

async function matMulOn(backend: 'cpu' | 'wasm', aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
  await useBackend(backend);
  const a = tf.tensor(randomValues(tf.util.sizeFromShape(aShape), 1), aShape);
  const b = tf.tensor(randomValues(tf.util.sizeFromShape(bShape), 2), bShape);
  const product = tf.matMul(a, b, transposeA, transposeB);
  const result = { shape: product.shape, values: product.dataSync() as Float32Array };
  tf.dispose([a, b, product]);
  return result;
}

const CASES: { name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
  { name: 'plain 2-D', a: [7, 5], b: [5, 3], transposeA: false, transposeB: false },
  { name: 'transposeA (dense kernel gradient)', a: [32, 20], b: [32, 12], transposeA: true, transposeB: false },
  { name: 'transposeB (dense input gradient)', a: [32, 12], b: [20, 12], transposeA: false, transposeB: true },
  { name: 'both transposed', a: [6, 4], b: [5, 6], transposeA: true, transposeB: true },
  { name: 'batched a, shared b', a: [3, 4, 6], b: [6, 5], transposeA: false, transposeB: false },
  { name: 'batched a transposed, shared b transposed', a: [2, 3, 6, 4], b: [1, 5, 6], transposeA: true, transposeB: true },
  { name: 'batched b (left to the stock kernel)', a: [3, 4, 6], b: [3, 6, 2], transposeA: false, transposeB: true },
];

describe('BatchMatMul on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const c of CASES) {
    it(`matches the cpu backend: ${c.name}`, async () => {
      const bShape = c.name.startsWith('batched b') ? [3, 2, 6] : c.b;
      const expected = await matMulOn('cpu', c.a, bShape, c.transposeA, c.transposeB);

      const actual = await matMulOn('wasm', c.a, bShape, c.transposeA, c.transposeB);

      expect(actual.shape).toEqual(expected.shape);
      expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);
    });
  }

  it('leaks no tensors or wasm buffers', async () => {
    await useBackend('wasm');
    const a = tf.randomUniform([16, 8]);
    const b = tf.randomUniform([16, 4]);
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = tf.backend().numDataIds();

    for (let i = 0; i < 5; i++) tf.matMul(a, b, true, false).dispose();

    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
    tf.dispose([a, b]);
  });
});
