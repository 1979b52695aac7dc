/** Conv2DBackpropFilter for the wasm backend, which tfjs-backend-wasm 4.22 lacks: im2col in JS, the product on XNNPACK. */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  assertOutputShape,
  convGeometry,
  examplesPerChunk,
  patchSize,
  positionsPerExample,
  type ConvAttrs,
} from './conv-geometry.js';
import { writeGradientRows, writeTransposedPatches } from './im2col.js';
import { allocate, heapView, matMul, release, reshaped } from './wasm-heap.js';

/** Caps the patch matrix at 32 MB; larger batches are processed in chunks of examples and summed. */
export const MAX_PATCH_ELEMENTS = 8 * 1024 * 1024;

type FilterAttrs = ConvAttrs & { filterShape: [number, number, number, number] };

/**
 * dW[k, co] = sum over positions m of patches[k, m] * dy[m, co], with k = (kh, kw, ci).
 * `maxPatchElements` bounds the patch matrix; tests lower it to exercise chunking.
 */
export const conv2DBackpropFilterKernel = (maxPatchElements: number): tf.KernelFunc => (args) => {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as FilterAttrs;
  const geometry = convGeometry(x.shape, attrs.filterShape, attrs);
  assertOutputShape(geometry, dy.shape, 'Conv2DBackpropFilter');
  const taps = patchSize(geometry);
  const chunk = examplesPerChunk(geometry, maxPatchElements);

  let sum: tf.TensorInfo | undefined;
  for (let first = 0; first < geometry.batchSize; first += chunk) {
    const count = Math.min(chunk, geometry.batchSize - first);
    const rows = count * positionsPerExample(geometry);
    // An NHWC dy covering the whole batch already is the [rows, outChannels] matrix: no copy needed.
    const dyIsMatrix = geometry.channelsLast && count === geometry.batchSize;
    const patches = allocate(backend, [1, taps, rows]);
    const gradient = dyIsMatrix ? reshaped(dy, [1, rows, geometry.outChannels]) : allocate(backend, [1, rows, geometry.outChannels]);
    writeTransposedPatches(heapView(backend, x), geometry, first, count, heapView(backend, patches));
    if (!dyIsMatrix) writeGradientRows(heapView(backend, dy), geometry, first, count, heapView(backend, gradient));

    const product = matMul(backend, patches, gradient);
    release(backend, patches);
    if (!dyIsMatrix) release(backend, gradient);
    if (sum === undefined) {
      sum = product;
    } else {
      const total = heapView(backend, sum);
      const part = heapView(backend, product);
      for (let i = 0; i < total.length; i++) total[i]! += part[i]!;
      release(backend, product);
    }
  }
  if (sum === undefined) {
    return backend.makeOutput(attrs.filterShape, 'float32', undefined, new Float32Array(tf.util.sizeFromShape(attrs.filterShape)));
  }
  return { dataId: sum.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
};

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterKernel(MAX_PATCH_ELEMENTS),
};
