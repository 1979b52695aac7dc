import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, useBackend } from '../testing/test-support.js';
import { conv2DBackpropFilterKernel } from './conv2d-backprop-filter.js';

type Quad = [number, number, number, number];
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  xShape: Quad;
  filterShape: Quad;
  strides: [number, number];
  pad: Pad;
}

const GRADIENT_CASES: Case[] = [
  { name: '5x5 same, stride 1 (the CNN preset conv1)', xShape: [3, 12, 12, 1], filterShape: [5, 5, 1, 4], strides: [1, 1], pad: 'same' },
  { name: '3x3 valid, stride 2, several channels', xShape: [2, 9, 11, 3], filterShape: [3, 3, 3, 5], strides: [2, 2], pad: 'valid' },
  { name: '3x2 same, strides [2, 1], non-square', xShape: [2, 7, 10, 2], filterShape: [3, 2, 2, 3], strides: [2, 1], pad: 'same' },
  { name: 'explicit asymmetric padding', xShape: [2, 6, 7, 2], filterShape: [3, 3, 2, 2], strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: '1x1 filter, stride 3', xShape: [4, 8, 8, 6], filterShape: [1, 1, 6, 7], strides: [3, 3], pad: 'valid' },
];

/** Gradients of sum(conv2d(x, f) * weights) with respect to x and f, on the current backend. */
function convGradients(c: Case): { dx: Float32Array; dFilter: Float32Array } {
  const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.xShape), 1), c.xShape);
  const filter = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.filterShape), 2), c.filterShape);
  const loss = (input: tf.Tensor, kernel: tf.Tensor) =>
    tf.tidy(() => {
      const y = tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, c.strides, c.pad);
      return y.mul(tf.tensor(randomValues(y.size, 3), y.shape)).sum();
    });
  const [dx, dFilter] = tf.grads(loss)([x, filter]);
  const result = { dx: dx!.dataSync() as Float32Array, dFilter: dFilter!.dataSync() as Float32Array };
  tf.dispose([x, filter, dx!, dFilter!]);
  return result;
}

async function kernelOn(backend: 'cpu' | 'wasm', x: tf.Tensor, dy: tf.Tensor, attrs: tf.NamedAttrMap): Promise<Float32Array> {
  await useBackend(backend);
  const xOn = tf.tensor(x.dataSync(), x.shape);
  const dyOn = tf.tensor(dy.dataSync(), dy.shape);
  const result = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xOn, dy: dyOn }, attrs) as tf.Tensor;
  const values = result.dataSync() as Float32Array;
  tf.dispose([xOn, dyOn, result]);
  return values;
}

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('is registered for wasm, which lacks it in tfjs-backend-wasm 4.22', () => {
    const kernel = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');

    expect(kernel).toBeDefined();
    expect(tf.getKernelsForBackend('wasm').filter((k) => k.kernelName === tf.Conv2DBackpropFilter)).toHaveLength(1);
  });

  for (const c of GRADIENT_CASES) {
    it(`matches the cpu backend's tf.grads: ${c.name}`, async () => {
      await useBackend('cpu');
      const expected = convGradients(c);
      await useBackend('wasm');

      const actual = convGradients(c);

      expect(relativeError(actual.dFilter, expected.dFilter)).toBeLessThan(1e-4);
      expect(relativeError(actual.dx, expected.dx)).toBeLessThan(1e-4);
    });
  }

  it('supports NCHW like the cpu kernel', async () => {
    const x = tf.tensor(randomValues(2 * 3 * 8 * 9, 4), [2, 3, 8, 9]);
    const dy = tf.tensor(randomValues(2 * 4 * 4 * 5, 5), [2, 4, 4, 5]);
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] };

    const expected = await kernelOn('cpu', x, dy, attrs);
    const actual = await kernelOn('wasm', x, dy, attrs);

    expect(relativeError(actual, expected)).toBeLessThan(1e-4);
  });

  it('supports dilations (checked against the cpu gradient of the equivalent zero-stuffed filter)', async () => {
    const [dilationH, dilationW] = [2, 3];
    const filterShape: Quad = [3, 2, 2, 3];
    const effective: Quad = [(3 - 1) * dilationH + 1, (2 - 1) * dilationW + 1, 2, 3];
    const x = tf.tensor(randomValues(2 * 10 * 9 * 2, 6), [2, 10, 9, 2]);
    // 'same' pads for the effective filter size in both formulations, so outputs are 10 x 9.
    const dy = tf.tensor(randomValues(2 * 10 * 9 * 3, 7), [2, 10, 9, 3]);

    const stuffed = await kernelOn('cpu', x, dy, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: effective });
    const actual = await kernelOn('wasm', x, dy, {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape,
      dilations: [dilationH, dilationW],
    });

    const expected = new Float32Array(actual.length);
    const tapSize = 2 * 3;
    for (let kh = 0; kh < 3; kh++) {
      for (let kw = 0; kw < 2; kw++) {
        const from = (kh * dilationH * effective[1] + kw * dilationW) * tapSize;
        expected.set(stuffed.subarray(from, from + tapSize), (kh * 2 + kw) * tapSize);
      }
    }
    expect(relativeError(actual, expected)).toBeLessThan(1e-4);
  });

  it('gives the same result when the batch is split into chunks, and frees its temporaries', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor4d(randomValues(5 * 6 * 6 * 2, 8), [5, 6, 6, 2]);
    const dy = tf.tensor4d(randomValues(5 * 6 * 6 * 3, 9), [5, 6, 6, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] };
    const run = (maxPatchElements: number) => {
      const before = backend.numDataIds();
      const info = conv2DBackpropFilterKernel(maxPatchElements)({ inputs: { x, dy }, backend, attrs }) as tf.TensorInfo;
      const values = backend.readSync(info.dataId) as Float32Array;
      const extra = backend.numDataIds() - before;
      backend.disposeData(info.dataId);
      return { values, shape: info.shape, extra };
    };

    const whole = run(1 << 20);
    // 18 taps x 36 positions = 648 elements per example: 700 forces one example per chunk.
    const chunked = run(700);

    expect(whole.shape).toEqual([3, 3, 2, 3]);
    expect(chunked.shape).toEqual([3, 3, 2, 3]);
    expect(relativeError(chunked.values, whole.values)).toBeLessThan(1e-5);
    expect(whole.extra).toBe(1);
    expect(chunked.extra).toBe(1);
    tf.dispose([x, dy]);
  });
});
