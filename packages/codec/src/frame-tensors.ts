/** Walks a validated frame's tensors, handing each one's bytes and position to a codec step. */
import { elementCount } from '@shoal/protocol';
import type { FrameHeader, FrameTensorEntry } from './frame-format.js';
import { inTensor } from './frame-errors.js';

export interface TensorSlice {
  entry: FrameTensorEntry;
  index: number;
  elementCount: number;
  bytes: Uint8Array;
}

/** Calls `step` per tensor in header order; a ShoalError it throws is re-thrown naming the tensor. */
export function mapTensors<T>(frame: Uint8Array, header: FrameHeader, step: (slice: TensorSlice) => T): T[] {
  const results: T[] = [];
  let byteOffset = header.payloadOffset;
  header.tensors.forEach((entry, index) => {
    const bytes = frame.subarray(byteOffset, byteOffset + entry.byteLength);
    const slice = { entry, index, elementCount: elementCount(entry.shape), bytes };
    results.push(inTensor({ name: entry.name, index, byteOffset }, () => step(slice)));
    byteOffset += entry.byteLength;
  });
  return results;
}
