/** Streaming aggregation: adds weight × a frame's decoded tensors straight into running sums. */
import { ShoalError } from '@shoal/protocol';
import { isStreamingCodec } from './codec.js';
import { registryOrDefault } from './default-codecs.js';
import type { DecodeFrameOptions } from './decode-frame.js';
import { checkExpectations, checkTargets } from './frame-expectations.js';
import type { FrameHeader } from './frame-format.js';
import { mapTensors } from './frame-tensors.js';
import { readFrameHeader } from './read-frame-header.js';

/**
 * target[i] += weight · decoded tensor i, for every tensor, without materialising the client's
 * update as float32. Either every target is updated or none is: the round's sum must contain a
 * client's whole update or nothing of it, because a frame refused half-way (say, a NaN in its last
 * tensor) cannot be subtracted back out exactly in float32. Hence two passes: the first validates
 * structure and decoded-value finiteness of every tensor (bytes only, no allocation); the second
 * accumulates. The package's own codecs skip re-validating in the second pass (addValidated, on the
 * bytes the first pass just checked); any other codec's decodeInto re-checks its tensor.
 */
export function accumulateFrame(bytes: Uint8Array, target: readonly Float32Array[], weight: number, options: DecodeFrameOptions = {}): FrameHeader {
  if (!Number.isFinite(weight)) throw new ShoalError('VALIDATION_FAILED', `accumulation weight must be a finite number, got ${weight}`);
  return accumulateParsedFrame(bytes, readFrameHeader(bytes, options), target, weight, options);
}

/** accumulateFrame for a caller that has already read (and checked) the frame's header: it is not parsed again. */
export function accumulateParsedFrame(bytes: Uint8Array, header: FrameHeader, target: readonly Float32Array[], weight: number, options: DecodeFrameOptions = {}): FrameHeader {
  if (!Number.isFinite(weight)) throw new ShoalError('VALIDATION_FAILED', `accumulation weight must be a finite number, got ${weight}`);
  checkExpectations(header, options);
  checkTargets(header, target);
  const codec = registryOrDefault(options.registry).get(header.codec.id);
  const params = header.codec.params;
  mapTensors(bytes, header, ({ elementCount, bytes: encoded }) => codec.validateEncoded(encoded, elementCount, params));
  if (isStreamingCodec(codec)) {
    mapTensors(bytes, header, ({ index, elementCount, bytes: encoded }) => codec.addValidated(encoded, elementCount, params, target[index]!, weight));
  } else {
    mapTensors(bytes, header, ({ index, elementCount, bytes: encoded }) => codec.decodeInto(encoded, elementCount, params, target[index]!, weight));
  }
  return header;
}
