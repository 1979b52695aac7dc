/** Patch-matrix loops (im2col and its adjoint col2im) that turn convolution gradients into plain matrix products. */
import { patchSize, positionsPerExample, type ConvGeometry } from './conv-geometry.js';

/** First and one-past-last output column whose input column `offset + ox * stride` lies inside [0, size). */
function validRange(offset: number, stride: number, size: number, outSize: number): [number, number] {
  const first = Math.min(outSize, Math.max(0, Math.ceil(-offset / stride)));
  const last = Math.min(outSize, Math.floor((size - 1 - offset) / stride) + 1);
  return [first, Math.max(first, last)];
}

/**
 * Writes the transposed patch matrix of examples [firstExample, firstExample + count) into `out`,
 * laid out [patchSize, count * outHeight * outWidth] with the tap index (kh, kw, ci) major.
 * Row-major in this orientation lets the wasm backend use its fast (untransposed) matmul path.
 */
export function writeTransposedPatches(
  input: Float32Array,
  geometry: ConvGeometry,
  firstExample: number,
  count: number,
  out: Float32Array,
): void {
  const g = geometry;
  const columns = count * positionsPerExample(g);
  let row = 0;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const rowOffset = kh * g.dilationHeight - g.padTop;
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const columnOffset = kw * g.dilationWidth - g.padLeft;
      const [oxFirst, oxEnd] = validRange(columnOffset, g.strideWidth, g.inWidth, g.outWidth);
      const step = g.strideWidth * g.inColumnStride;
      for (let ci = 0; ci < g.inChannels; ci++, row++) {
        let o = row * columns;
        for (let b = firstExample; b < firstExample + count; b++) {
          const exampleBase = b * g.inBatchStride + ci * g.inChannelStride;
          for (let oy = 0; oy < g.outHeight; oy++) {
            const iy = oy * g.strideHeight + rowOffset;
            if (iy < 0 || iy >= g.inHeight) {
              out.fill(0, o, o + g.outWidth);
              o += g.outWidth;
              continue;
            }
            let ox = 0;
            for (; ox < oxFirst; ox++) out[o++] = 0;
            let source = exampleBase + iy * g.inRowStride + (oxFirst * g.strideWidth + columnOffset) * g.inColumnStride;
            for (; ox < oxEnd; ox++, source += step) out[o++] = input[source]!;
            for (; ox < g.outWidth; ox++) out[o++] = 0;
          }
        }
      }
    }
  }
  if (row !== patchSize(g)) throw new Error(`im2col wrote ${row} rows, expected ${patchSize(g)}`);
}

/**
 * Adds the patch-gradient matrix `patches` ([count * outHeight * outWidth, patchSize], position major)
 * back onto the input-gradient tensor `out` (col2im), for examples starting at `firstExample`.
 */
export function addPatchesToInput(
  patches: Float32Array,
  geometry: ConvGeometry,
  firstExample: number,
  count: number,
  out: Float32Array,
): void {
  const g = geometry;
  const size = patchSize(g);
  let p = 0;
  for (let b = firstExample; b < firstExample + count; b++) {
    const exampleBase = b * g.inBatchStride;
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, p += size) {
        let tap = p;
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= g.inHeight) {
            tap += g.filterWidth * g.inChannels;
            continue;
          }
          for (let kw = 0; kw < g.filterWidth; kw++, tap += g.inChannels) {
            const ix = ox * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (ix < 0 || ix >= g.inWidth) continue;
            let target = exampleBase + iy * g.inRowStride + ix * g.inColumnStride;
            for (let ci = 0; ci < g.inChannels; ci++, target += g.inChannelStride) out[target]! += patches[tap + ci]!;
          }
        }
      }
    }
  }
}

/**
 * Copies the output gradient of examples [firstExample, firstExample + count) into `out` as a
 * [count * outHeight * outWidth, outChannels] matrix, whichever layout `dy` has.
 */
export function writeGradientRows(
  dy: Float32Array,
  geometry: ConvGeometry,
  firstExample: number,
  count: number,
  out: Float32Array,
): void {
  const g = geometry;
  const positions = positionsPerExample(g);
  const perExample = positions * g.outChannels;
  if (g.channelsLast) {
    out.set(dy.subarray(firstExample * perExample, (firstExample + count) * perExample));
    return;
  }
  let o = 0;
  for (let b = firstExample; b < firstExample + count; b++) {
    for (let position = 0; position < positions; position++) {
      let source = b * perExample + position;
      for (let co = 0; co < g.outChannels; co++, source += positions) out[o++] = dy[source]!;
    }
  }
}
