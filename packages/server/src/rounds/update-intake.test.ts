import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAME_LIMITS, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { ShoalError } from '@shoal/protocol';
import { UpdateIntake, defaultMaxUpdateNorm } from './update-intake.js';

const specs = [{ name: 'w', shape: [4] }, { name: 'b', shape: [2] }];
const codecs = defaultCodecRegistry();
const intake = (codec = { id: 'int8', params: {} }) => new UpdateIntake({ tensorSpecs: specs, uploadCodec: codec, maxUpdateBytes: 1 << 20, frameLimits: DEFAULT_FRAME_LIMITS, codecs });
const frame = (w: number[], b: number[], codec = { id: 'int8' }) => encodeFrame('delta', [{ name: 'w', shape: [4], values: Float32Array.from(w) }, { name: 'b', shape: [2], values: Float32Array.from(b) }], codec, codecs);
const codeOf = (work: () => unknown) => {
  try {
    work();
    return 'accepted';
  } catch (error) {
    return (error as ShoalError).code;
  }
};

describe('UpdateIntake', () => {
  it('decodes an update once into reused arrays and measures its L2 norm', () => {
    const receiver = intake({ id: 'float32', params: {} });
    const first = receiver.decode(frame([3, 0, 0, 0], [0, 4], { id: 'float32' }), 10);
    expect(first.l2Norm).toBe(5);
    expect(Array.from(first.values[1]!)).toEqual([0, 4]);
    const second = receiver.decode(frame([1, 0, 0, 0], [0, 0], { id: 'float32' }), 10);
    expect(second.values[0]).toBe(first.values[0]); // the same arrays, overwritten
    expect(Array.from(second.values[1]!)).toEqual([0, 0]);
  });

  it('refuses an update over the bound, values near the float32 limit included, before anything is kept', () => {
    const receiver = intake();
    expect(codeOf(() => receiver.decode(frame([3e38, -3e38, 1, 0], [0, 0]), 1e6))).toBe('UPDATE_OUT_OF_BOUNDS');
    expect(codeOf(() => receiver.decode(frame([0.5, 0, 0, 0], [0, 0]), 0.4))).toBe('UPDATE_OUT_OF_BOUNDS');
    expect(codeOf(() => receiver.decode(frame([0.5, 0, 0, 0], [0, 0]), 0.6))).toBe('accepted');
  });

  it('refuses another codec, another kind and a wrong model with their codes', () => {
    const receiver = intake();
    expect(codeOf(() => receiver.decode(frame([0, 0, 0, 0], [0, 0], { id: 'float32' }), 1))).toBe('VALIDATION_FAILED');
    const weights = encodeFrame('weights', [{ name: 'w', shape: [4], values: new Float32Array(4) }, { name: 'b', shape: [2], values: new Float32Array(2) }], { id: 'int8' }, codecs);
    expect(codeOf(() => receiver.decode(weights, 1))).toBe('FRAME_MALFORMED');
    const wrong = encodeFrame('delta', [{ name: 'w', shape: [5], values: new Float32Array(5) }], { id: 'int8' }, codecs);
    expect(codeOf(() => receiver.decode(wrong, 1))).toBe('SHAPE_MISMATCH');
  });
});

describe('defaultMaxUpdateNorm', () => {
  it('is ten times the global weights’ norm, and at least √P', () => {
    expect(defaultMaxUpdateNorm([Float32Array.of(30, 40)])).toBe(500);
    expect(defaultMaxUpdateNorm([new Float32Array(400)])).toBe(20);
  });
});
