/** Decodes a whole frame into new float32 tensors, refusing anything malformed, unexpected or non-finite. */
import type { NamedTensor } from '@shoal/protocol';
import { registryOrDefault } from './default-codecs.js';
import { checkExpectations, type FrameExpectations } from './frame-expectations.js';
import type { FrameHeader } from './frame-format.js';
import { mapTensors } from './frame-tensors.js';
import { readFrameHeader, type ReadFrameOptions } from './read-frame-header.js';

export type DecodeFrameOptions = ReadFrameOptions & FrameExpectations;

export interface DecodedFrame {
  header: FrameHeader;
  tensors: NamedTensor[];
}

export function decodeFrame(bytes: Uint8Array, options: DecodeFrameOptions = {}): DecodedFrame {
  const header = readFrameHeader(bytes, options);
  checkExpectations(header, options);
  const codec = registryOrDefault(options.registry).get(header.codec.id);
  const tensors = mapTensors(bytes, header, ({ entry, elementCount, bytes: encoded }) => ({
    name: entry.name,
    shape: [...entry.shape],
    values: codec.decode(encoded, elementCount, header.codec.params),
  }));
  return { header, tensors };
}
