/**
 * Post-training int8 weight quantization with one symmetric scale per output channel (the last axis of dense and
 * conv kernels), as in TFLite's per-axis scheme. Biases and 1-D tensors stay float32.
 */
import type { NamedTensor } from '@shoal/protocol';
import { isPrunable } from './magnitude-pruning.js';

export interface QuantizedTensor {
  name: string;
  shape: number[];
  /** Present for quantized kernels; values = int8 × scales[channel]. */
  int8?: Int8Array;
  scales?: Float32Array;
  /** Present for tensors kept in float32. */
  float32?: Float32Array;
}

export function quantizePerChannel(tensors: readonly NamedTensor[]): QuantizedTensor[] {
  return tensors.map((tensor) => {
    if (!isPrunable(tensor)) return { name: tensor.name, shape: tensor.shape, float32: Float32Array.from(tensor.values) };
    const channels = tensor.shape.at(-1)!;
    const scales = new Float32Array(channels);
    for (let i = 0; i < tensor.values.length; i++) {
      const channel = i % channels;
      scales[channel] = Math.max(scales[channel]!, Math.abs(tensor.values[i]!));
    }
    for (let c = 0; c < channels; c++) scales[c] = scales[c]! / 127;
    const int8 = new Int8Array(tensor.values.length);
    for (let i = 0; i < int8.length; i++) {
      const scale = scales[i % channels]!;
      int8[i] = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(tensor.values[i]! / scale)));
    }
    return { name: tensor.name, shape: tensor.shape, int8, scales };
  });
}

export function dequantize(tensors: readonly QuantizedTensor[]): NamedTensor[] {
  return tensors.map((tensor) => {
    if (tensor.float32 !== undefined) return { name: tensor.name, shape: tensor.shape, values: Float32Array.from(tensor.float32) };
    const channels = tensor.scales!.length;
    const values = new Float32Array(tensor.int8!.length);
    for (let i = 0; i < values.length; i++) values[i] = tensor.int8![i]! * tensor.scales![i % channels]!;
    return { name: tensor.name, shape: tensor.shape, values };
  });
}

/** Bytes on the device: int8 values + float32 scales, float32 elsewhere; zeros of a pruned kernel stored sparsely when that is smaller. */
export function quantizedSizeBytes(tensors: readonly QuantizedTensor[]): number {
  let bytes = 0;
  for (const tensor of tensors) {
    if (tensor.float32 !== undefined) bytes += tensor.float32.byteLength;
    else {
      const nonZero = tensor.int8!.reduce((n, v) => n + (v === 0 ? 0 : 1), 0);
      const dense = tensor.int8!.length;
      const sparse = nonZero * (1 + 4); // value + 32-bit index
      bytes += Math.min(dense, sparse) + tensor.scales!.byteLength;
    }
  }
  return bytes;
}
