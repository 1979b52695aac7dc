import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, relativeError, useBackend } from '../testing/test-support.js';
import { conv2DBackpropInputKernel } from './conv2d-backprop-input.js';
import { stockKernel } from './stock-kernels.js';

type Quad = [number, number, number, number];

async function kernelOn(backend: 'cpu' | 'wasm', dy: tf.Tensor, filter: tf.Tensor, attrs: tf.NamedAttrMap): Promise<Float32Array> {
  await useBackend(backend);
  const dyOn = tf.tensor(dy.dataSync(), dy.shape);
  const filterOn = tf.tensor(filter.dataSync(), filter.shape);
  const result = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dyOn, filter: filterOn }, attrs) as tf.Tensor;
  const values = result.dataSync() as Float32Array;
  tf.dispose([dyOn, filterOn, result]);
  return values;
}

const CASES: { name: string; inputShape: Quad; filterShape: Quad; dyShape: Quad; attrs: tf.NamedAttrMap }[] = [
  { name: '5x5 same (the CNN preset conv2)', inputShape: [2, 7, 7, 4], filterShape: [5, 5, 4, 6], dyShape: [2, 7, 7, 6], attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC' } },
  { name: '3x3 valid, stride 2', inputShape: [3, 9, 8, 2], filterShape: [3, 3, 2, 3], dyShape: [3, 4, 3, 3], attrs: { strides: 2, pad: 'valid', dataFormat: 'NHWC' } },
  { name: 'explicit padding, strides [1, 2]', inputShape: [2, 6, 7, 2], filterShape: [2, 3, 2, 2], dyShape: [2, 8, 3, 2], attrs: { strides: [1, 2], pad: [[0, 0], [1, 2], [1, 0], [0, 0]], dataFormat: 'NHWC' } },
  { name: 'NCHW, stride 2 same', inputShape: [2, 3, 8, 9], filterShape: [3, 3, 3, 4], dyShape: [2, 4, 4, 5], attrs: { strides: 2, pad: 'same', dataFormat: 'NCHW' } },
];

describe('Conv2DBackpropInput on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const c of CASES) {
    it(`matches the cpu kernel: ${c.name}`, async () => {
      const dy = tf.tensor(randomValues(tf.util.sizeFromShape(c.dyShape), 1), c.dyShape);
      const filter = tf.tensor(randomValues(tf.util.sizeFromShape(c.filterShape), 2), c.filterShape);
      const attrs = { ...c.attrs, inputShape: c.inputShape };

      const expected = await kernelOn('cpu', dy, filter, attrs);
      const actual = await kernelOn('wasm', dy, filter, attrs);

      expect(actual).toHaveLength(tf.util.sizeFromShape(c.inputShape));
      expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    });
  }

  it('agrees with the stock wasm kernel it replaces', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const dy = tf.tensor4d(randomValues(2 * 7 * 7 * 6, 3), [2, 7, 7, 6]);
    const filter = tf.tensor4d(randomValues(5 * 5 * 4 * 6, 4), [5, 5, 4, 6]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 7, 7, 4] };
    const read = (info: tf.TensorInfo) => {
      const values = backend.readSync(info.dataId) as Float32Array;
      backend.disposeData(info.dataId);
      return values;
    };

    const stock = read(stockKernel(tf.Conv2DBackpropInput)({ inputs: { dy, filter }, backend, attrs }) as tf.TensorInfo);
    const ours = read(conv2DBackpropInputKernel(1 << 20)({ inputs: { dy, filter }, backend, attrs }) as tf.TensorInfo);

    expect(relativeError(ours, stock)).toBeLessThan(1e-4);
    tf.dispose([dy, filter]);
  });

  it('supports dilations (checked against the cpu kernel with the equivalent zero-stuffed filter)', async () => {
    const filterShape: Quad = [2, 3, 2, 3];
    const [dilationH, dilationW] = [3, 2];
    const effective: Quad = [(2 - 1) * dilationH + 1, (3 - 1) * dilationW + 1, 2, 3];
    const filterValues = randomValues(tf.util.sizeFromShape(filterShape), 5);
    const stuffedValues = new Float32Array(tf.util.sizeFromShape(effective));
    const tapSize = 2 * 3;
    for (let kh = 0; kh < 2; kh++) {
      for (let kw = 0; kw < 3; kw++) {
        const to = (kh * dilationH * effective[1] + kw * dilationW) * tapSize;
        stuffedValues.set(filterValues.subarray((kh * 3 + kw) * tapSize, (kh * 3 + kw + 1) * tapSize), to);
      }
    }
    const dy = tf.tensor(randomValues(2 * 9 * 8 * 3, 6), [2, 9, 8, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 8, 2] };

    const expected = await kernelOn('cpu', dy, tf.tensor(stuffedValues, effective), attrs);
    const actual = await kernelOn('wasm', dy, tf.tensor(filterValues, filterShape), { ...attrs, dilations: [dilationH, dilationW] });

    expect(relativeError(actual, expected)).toBeLessThan(1e-4);
  });

  it('gives the same result in chunks and leaves only its output allocated', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const dy = tf.tensor4d(randomValues(4 * 6 * 6 * 3, 7), [4, 6, 6, 3]);
    const filter = tf.tensor4d(randomValues(3 * 3 * 2 * 3, 8), [3, 3, 2, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [4, 6, 6, 2] };
    const run = (maxPatchElements: number) => {
      const before = backend.numDataIds();
      const info = conv2DBackpropInputKernel(maxPatchElements)({ inputs: { dy, filter }, backend, attrs }) as tf.TensorInfo;
      const extra = backend.numDataIds() - before;
      const values = backend.readSync(info.dataId) as Float32Array;
      backend.disposeData(info.dataId);
      return { values, extra };
    };

    const whole = run(1 << 20);
    const chunked = run(700);

    expect(relativeError(chunked.values, whole.values)).toBeLessThan(1e-5);
    expect([whole.extra, chunked.extra]).toEqual([1, 1]);
    tf.dispose([dy, filter]);
  });
});
