import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';
import { badFrames } from './testing/bad-frames.js';
import { errorCodeOf, shoalErrorOf } from './testing/error-code.js';
import { TINY_MODEL, tensorsFor } from './testing/sample-model.js';

function scaleOf(frame: Uint8Array, byteOffset: number): number {
  return new DataView(frame.buffer, frame.byteOffset + byteOffset, 4).getFloat32(0, true);
}

describe('decodeFrame', () => {
  it('round-trips float32 frames exactly, with kind and header', () => {
    const tensors = tensorsFor(TINY_MODEL, 11, 1e3);

    const decoded = decodeFrame(encodeFrame('weights', tensors, { id: 'float32' }), { expected: TINY_MODEL, expectedKind: 'weights' });

    expect(decoded.header.kind).toBe('weights');
    expect(decoded.tensors).toEqual(tensors);
  });

  it('round-trips int8 frames within half a step of each tensor’s scale', () => {
    const tensors = tensorsFor(TINY_MODEL, 12, 5);
    const frame = encodeFrame('delta', tensors, { id: 'int8' });

    const decoded = decodeFrame(frame);

    let byteOffset = decoded.header.payloadOffset;
    decoded.header.tensors.forEach((entry, index) => {
      const scale = scaleOf(frame, byteOffset);
      const original = tensors[index]!.values;
      const errors = Array.from(decoded.tensors[index]!.values, (value, i) => Math.abs(value - original[i]!) - Math.abs(value) * 2 ** -24);
      expect(Math.max(...errors)).toBeLessThanOrEqual(scale / 2);
      byteOffset += entry.byteLength;
    });
  });

  it('round-trips an all-zero tensor, a scalar and shapes with a dimension of 1', () => {
    const tensors = [
      { name: 'zeros', shape: [2, 2], values: new Float32Array(4) },
      { name: 'scalar', shape: [], values: Float32Array.of(-42.5) },
      { name: 'column', shape: [3, 1], values: Float32Array.of(1, 2, 3) },
      { name: 'single', shape: [1], values: Float32Array.of(0.125) },
    ];

    for (const id of ['float32', 'int8']) {
      const decoded = decodeFrame(encodeFrame('weights', tensors, { id }));

      expect(decoded.tensors.map(({ name, shape }) => ({ name, shape }))).toEqual(tensors.map(({ name, shape }) => ({ name, shape })));
      expect(Array.from(decoded.tensors[0]!.values)).toEqual([0, 0, 0, 0]);
      expect(decoded.tensors[1]!.values[0]).toBeCloseTo(-42.5, 4);
      expect(Array.from(decoded.tensors[2]!.values)).toEqual([1, 2, 3].map((value) => expect.closeTo(value, 1)));
      expect(decoded.tensors[3]!.values[0]).toBeCloseTo(0.125, 6);
    }
  });

  it('round-trips a frame with no tensors', () => {
    const decoded = decodeFrame(encodeFrame('weights', [], { id: 'int8' }));

    expect(decoded.tensors).toEqual([]);
  });

  it('refuses every bad frame with its code', () => {
    const cases = badFrames();

    const outcomes = cases.map((bad) => `${bad.label}: ${errorCodeOf(() => decodeFrame(bad.bytes, bad.options))}`);

    expect(outcomes).toEqual(cases.map((bad) => `${bad.label}: ${bad.code}`));
  });

  it('names the tensor and its offset when a value is not finite', () => {
    const tensors = tensorsFor(TINY_MODEL);
    const frame = encodeFrame('delta', tensors, { id: 'float32' });
    frame.set([0x00, 0x00, 0xc0, 0x7f], frame.length - 4);

    const error = shoalErrorOf(() => decodeFrame(frame));

    expect(error.code).toBe('NON_FINITE_VALUES');
    expect(error.message).toBe("tensor 'temperature': float32 value at index 0 is NaN");
    expect(error.details).toMatchObject({ tensor: 'temperature', tensorIndex: 2, byteOffset: frame.length - 4, index: 0 });
  });

  it('names the tensor whose shape differs from the model', () => {
    const frame = encodeFrame('delta', tensorsFor(TINY_MODEL), { id: 'float32' });
    const expected = TINY_MODEL.map((spec, index) => (index === 1 ? { ...spec, shape: [4] } : spec));

    const error = shoalErrorOf(() => decodeFrame(frame, { expected }));

    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toBe("tensor 'dense/bias' has shape [3]; the model expects [4]");
  });
});
