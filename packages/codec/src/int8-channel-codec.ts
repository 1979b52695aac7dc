/**
 * The per-channel int8 codec for edge artifacts: one float32 scale per output channel (the last axis of a
 * kernel), then one int8 per element. Symmetric, so a zero weight stays exactly zero and pruned weights stay pruned.
 */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams } from './codec.js';
import { defineCodec } from './define-codec.js';
import { checkInt8Levels, checkInt8Scale, int8Scale } from './int8-codec.js';

const ID = 'int8-channel';
const LEVELS = 127;
const COUNT_BYTES = 4;

/** Channels of a tensor: its last axis for kernels (rank ≥ 2), one for biases, scalars and shapeless callers. */
export function channelCount(shape: readonly number[] | undefined): number {
  return shape !== undefined && shape.length >= 2 ? shape[shape.length - 1]! : 1;
}

function readChannels(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, COUNT_BYTES).getUint32(0, true);
}

function readScales(bytes: Uint8Array, channels: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + COUNT_BYTES, 4 * channels);
  return Float32Array.from({ length: channels }, (_, channel) => view.getFloat32(4 * channel, true));
}

function levelsOf(bytes: Uint8Array, channels: number, elementCount: number): Int8Array {
  return new Int8Array(bytes.buffer, bytes.byteOffset + COUNT_BYTES + 4 * channels, elementCount);
}

function malformed(message: string, details: Record<string, unknown>): ShoalError {
  return new ShoalError('FRAME_MALFORMED', message, { details });
}

function validate(bytes: Uint8Array, elementCount: number): void {
  if (bytes.length < COUNT_BYTES) throw malformed(`${ID} tensor bytes are ${bytes.length} long; the channel count alone takes ${COUNT_BYTES}`, { byteLength: bytes.length });
  const channels = readChannels(bytes);
  if (channels < 1 || channels > Math.max(1, elementCount) || elementCount % channels !== 0) {
    throw malformed(`${ID} channel count ${channels} does not divide ${elementCount} elements`, { channels, elementCount });
  }
  const expected = COUNT_BYTES + 4 * channels + elementCount;
  if (bytes.length !== expected) {
    throw malformed(`${ID} tensor bytes are ${bytes.length} long; ${channels} channels of ${elementCount} elements need exactly ${expected}`, {
      byteLength: bytes.length,
      expectedByteLength: expected,
    });
  }
  readScales(bytes, channels).forEach((scale, channel) => checkInt8Scale(ID, scale, { channel }));
  checkInt8Levels(ID, bytes.subarray(COUNT_BYTES + 4 * channels));
}

function add(bytes: Uint8Array, elementCount: number, _params: CodecParams, target: Float32Array, weight: number): void {
  const channels = readChannels(bytes);
  const scales = readScales(bytes, channels);
  const levels = levelsOf(bytes, channels, elementCount);
  for (let index = 0, channel = 0; index < elementCount; index++) {
    target[index]! += Math.fround(weight * Math.fround(levels[index]! * scales[channel]!));
    if (++channel === channels) channel = 0;
  }
}

export const int8ChannelCodec = defineCodec({
  id: ID,
  lossless: false,
  paramKeys: [],
  /** The channel count is in the bytes, so the size depends on the shape, not only on n; C = n is the largest. */
  maxByteLength: (elementCount) => COUNT_BYTES + 4 * Math.max(1, elementCount) + elementCount,

  encode(values: Float32Array, _params: CodecParams, _random, shape?: readonly number[]): Uint8Array {
    const channels = values.length === 0 ? 1 : channelCount(shape);
    if (values.length % channels !== 0) {
      throw new ShoalError('SHAPE_MISMATCH', `${ID}: ${values.length} values do not fill ${channels} channels`, { details: { channels } });
    }
    const maxAbs = new Float64Array(channels);
    for (let index = 0; index < values.length; index++) {
      const channel = index % channels;
      maxAbs[channel] = Math.max(maxAbs[channel]!, Math.abs(values[index]!));
    }
    const bytes = new Uint8Array(COUNT_BYTES + 4 * channels + values.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, channels, true);
    const scales = Float32Array.from(maxAbs, int8Scale);
    scales.forEach((scale, channel) => view.setFloat32(COUNT_BYTES + 4 * channel, scale, true));
    const levels = levelsOf(bytes, channels, values.length);
    for (let index = 0, channel = 0; index < values.length; index++) {
      const scale = scales[channel]!;
      levels[index] = scale === 0 ? 0 : Math.max(-LEVELS, Math.min(LEVELS, Math.round(values[index]! / scale)));
      if (++channel === channels) channel = 0;
    }
    return bytes;
  },

  validate,
  add,

  decode(bytes: Uint8Array, elementCount: number): Float32Array {
    const channels = readChannels(bytes);
    const scales = readScales(bytes, channels);
    const levels = levelsOf(bytes, channels, elementCount);
    const values = new Float32Array(elementCount);
    for (let index = 0, channel = 0; index < elementCount; index++) {
      values[index] = levels[index]! * scales[channel]!;
      if (++channel === channels) channel = 0;
    }
    return values;
  },
});
