/**
 * MaxPoolGrad for the wasm backend. The stock kernel drops the gradient of windows whose maximum is
 * negative (harmless after a ReLU, wrong otherwise) and is slower than this loop over the heap.
 * Ties go to the first maximum in row-major window order, as on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, heapView } from './wasm-heap.js';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  const dxInfo = allocate(backend, [...input.shape]);
  const dx = heapView(backend, dxInfo);
  const x = heapView(backend, input);
  const gradient = heapView(backend, dy);
  dx.fill(0);
  const best = new Float32Array(channels);
  const bestIndex = new Int32Array(channels);

  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, o += channels) {
        best.fill(Number.NEGATIVE_INFINITY);
        bestIndex.fill(-1);
        for (let kh = 0; kh < effectiveFilterHeight; kh += dilationHeight) {
          const iy = oy * strideHeight - padTop + kh;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kw = 0; kw < effectiveFilterWidth; kw += dilationWidth) {
            const ix = ox * strideWidth - padLeft + kw;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[base + c]!;
              if (value > best[c]!) {
                best[c] = value;
                bestIndex[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const target = bestIndex[c]!;
          if (target >= 0) dx[target]! += gradient[o + c]!;
        }
      }
    }
  }
  return dxInfo;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as tf.KernelFunc,
};
