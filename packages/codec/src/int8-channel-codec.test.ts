import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';
import { int8ChannelCodec } from './int8-channel-codec.js';
import { errorCodeOf } from './testing/error-code.js';
import { tensorsFor } from './testing/sample-model.js';

function scalesOf(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return Float32Array.from({ length: view.getUint32(0, true) }, (_, channel) => view.getFloat32(4 + 4 * channel, true));
}

describe('int8ChannelCodec', () => {
  it('keeps one scale per last-axis channel, so a channel of small weights keeps its precision', () => {
    // Two channels of a [3, 2] kernel: the first ~1000× larger than the second.
    const values = Float32Array.of(1000, 0.5, -800, -0.25, 3, 0.125);

    const bytes = int8ChannelCodec.encode(values, {}, undefined, [3, 2]);
    const decoded = int8ChannelCodec.decode(bytes, values.length, {});

    const scales = scalesOf(bytes);
    expect(bytes.length).toBe(4 + 4 * 2 + 6);
    expect(scales[0]! * 127).toBeGreaterThanOrEqual(1000);
    expect(scales[1]! * 127).toBeGreaterThanOrEqual(0.5);
    values.forEach((value, i) => expect(Math.abs(decoded[i]! - value)).toBeLessThanOrEqual(scales[i % 2]! / 2 + Math.abs(value) * 2 ** -23));
    expect(Math.abs(decoded[5]! - 0.125)).toBeLessThan(0.002);
  });

  it('decodes zeros, and so pruned weights, to exactly zero', () => {
    const values = Float32Array.of(0, 2, -0, 0, 0, -3, 0, 0);

    const decoded = int8ChannelCodec.decode(int8ChannelCodec.encode(values, {}, undefined, [4, 2]), values.length, {});

    expect(Array.from(decoded).map((value, i) => (values[i] === 0 ? value : 'kept'))).toEqual([0, 'kept', 0, 0, 0, 'kept', 0, 0]);
  });

  it('uses one scale for biases, scalars and callers that give no shape', () => {
    for (const shape of [[5], [], undefined]) {
      const values = shape?.length === 0 ? Float32Array.of(2) : Float32Array.of(1, 2, 3, 4, 5);

      expect(scalesOf(int8ChannelCodec.encode(values, {}, undefined, shape))).toHaveLength(1);
    }
  });

  it('goes through a weights frame with the channels of each tensor, about a quarter of float32', () => {
    const specs = [{ name: 'fc/kernel', shape: [64, 16] }, { name: 'fc/bias', shape: [16] }];
    const tensors = tensorsFor(specs, 3);

    const frame = encodeFrame('weights', tensors, { id: 'int8-channel' });
    const { header, tensors: decoded } = decodeFrame(frame, { expected: specs, expectedKind: 'weights' });

    expect(header.tensors.map((entry) => entry.byteLength)).toEqual([4 + 4 * 16 + 1024, 4 + 4 + 16]);
    expect(decoded.map((tensor) => tensor.shape)).toEqual(specs.map((spec) => spec.shape));
    const float32Bytes = 4 * (1024 + 16);
    expect((frame.length - header.payloadOffset) / float32Bytes).toBeLessThan(0.28);
  });

  it('refuses a channel count that does not divide the elements, and byte lengths that do not match it', () => {
    const bytes = int8ChannelCodec.encode(Float32Array.of(1, 2, 3, 4, 5, 6), {}, undefined, [2, 3]);
    const withChannels = (channels: number) => {
      const copy = bytes.slice();
      new DataView(copy.buffer).setUint32(0, channels, true);
      return copy;
    };

    expect(errorCodeOf(() => int8ChannelCodec.decode(withChannels(4), 6, {}))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => int8ChannelCodec.decode(withChannels(0), 6, {}))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => int8ChannelCodec.decode(withChannels(2), 6, {}))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => int8ChannelCodec.decode(bytes.subarray(0, 3), 6, {}))).toBe('FRAME_MALFORMED');
    expect(Array.from(int8ChannelCodec.decode(bytes, 6, {})).map(Math.round)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a NaN scale as NON_FINITE_VALUES and the level -128 as FRAME_MALFORMED', () => {
    const bytes = int8ChannelCodec.encode(Float32Array.of(1, -2), {}, undefined, [1, 2]);
    const nanScale = bytes.slice();
    new DataView(nanScale.buffer).setFloat32(8, Number.NaN, true);
    const minus128 = bytes.slice();
    minus128[12] = 0x80;

    expect(errorCodeOf(() => int8ChannelCodec.decode(nanScale, 2, {}))).toBe('NON_FINITE_VALUES');
    expect(errorCodeOf(() => int8ChannelCodec.decode(minus128, 2, {}))).toBe('FRAME_MALFORMED');
  });
});
