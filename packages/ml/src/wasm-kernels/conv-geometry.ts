/** The shape arithmetic of one 2-D convolution, reduced to the numbers the im2col loops need. */
import * as tf from '@tensorflow/tfjs';

type Quad = [number, number, number, number];

export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  /** Element strides of the input tensor, so one loop serves NHWC and NCHW. */
  inBatchStride: number;
  inRowStride: number;
  inColumnStride: number;
  inChannelStride: number;
  channelsLast: boolean;
}

/** Attributes shared by the Conv2D backprop kernels; `dilations` is absent when tfjs-core calls them. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/** Uses tfjs's own computeConv2DInfo so padding and output sizes agree exactly with the forward kernel. */
export function convGeometry(inShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    inShape as Quad,
    filterShape as Quad,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  const channelsLast = info.dataFormat === 'channelsLast';
  const { inHeight: height, inWidth: width, inChannels: channels } = info;
  return {
    batchSize: info.batchSize,
    inHeight: height,
    inWidth: width,
    inChannels: channels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    inBatchStride: height * width * channels,
    inRowStride: channelsLast ? width * channels : width,
    inColumnStride: channelsLast ? channels : 1,
    inChannelStride: channelsLast ? 1 : height * width,
    channelsLast,
  };
}

/** The kernels index dy by the geometry, so a dy of any other shape would read out of bounds. */
export function assertOutputShape(geometry: ConvGeometry, dyShape: number[], kernelName: string): void {
  const g = geometry;
  const expected = g.channelsLast
    ? [g.batchSize, g.outHeight, g.outWidth, g.outChannels]
    : [g.batchSize, g.outChannels, g.outHeight, g.outWidth];
  if (dyShape.length !== 4 || dyShape.some((dim, axis) => dim !== expected[axis])) {
    throw new Error(`${kernelName}: dy has shape [${dyShape.join(', ')}], the convolution produces [${expected.join(', ')}]`);
  }
}

/** Rows of the patch matrix: one per filter tap and input channel. */
export function patchSize(geometry: ConvGeometry): number {
  return geometry.filterHeight * geometry.filterWidth * geometry.inChannels;
}

/** Output positions of one example: the columns one example contributes. */
export function positionsPerExample(geometry: ConvGeometry): number {
  return geometry.outHeight * geometry.outWidth;
}

/** How many examples fit in one patch matrix of at most `maxElements` floats (at least one). */
export function examplesPerChunk(geometry: ConvGeometry, maxElements: number): number {
  const perExample = patchSize(geometry) * positionsPerExample(geometry);
  return Math.max(1, Math.min(geometry.batchSize, Math.floor(maxElements / Math.max(1, perExample))));
}
