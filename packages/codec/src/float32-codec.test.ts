import { describe, expect, it } from 'vitest';
import { float32Codec } from './float32-codec.js';
import { errorCodeOf as codeOf } from './testing/error-code.js';
import { float32Bytes } from './testing/raw-frame.js';

describe('float32Codec', () => {
  it('round-trips values bit for bit, including -0, subnormals and extremes', () => {
    const values = Float32Array.of(0, -0, 1.5, -3.25, 1e-45, -3.4028234663852886e38, Math.PI);

    const bytes = float32Codec.encode(values, {});
    const decoded = float32Codec.decode(bytes, values.length, {});

    expect(bytes.length).toBe(4 * values.length);
    expect(float32Codec.encodedByteLength(values.length, {})).toBe(bytes.length);
    expect(Array.from(decoded).every((value, index) => Object.is(value, values[index]))).toBe(true);
  });

  it('writes little-endian IEEE-754', () => {
    const bytes = float32Codec.encode(Float32Array.of(1), {});

    expect(Array.from(bytes)).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  it('decodes from an unaligned view', () => {
    const backing = new Uint8Array(9);
    backing.set(float32Bytes(2, -4), 1);

    const decoded = float32Codec.decode(backing.subarray(1, 9), 2, {});

    expect(Array.from(decoded)).toEqual([2, -4]);
  });

  it('accumulates weight × value into the target', () => {
    const target = Float32Array.of(1, 1);

    float32Codec.decodeInto(float32Bytes(2, -4), 2, {}, target, 0.5);

    expect(Array.from(target)).toEqual([2, -1]);
  });

  it('refuses NaN and ±Infinity in bytes before touching the target', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const target = Float32Array.of(7, 7, 7);

      const code = codeOf(() => float32Codec.decodeInto(float32Bytes(1, 2, bad), 3, {}, target, 1));

      expect(code).toBe('NON_FINITE_VALUES');
      expect(Array.from(target)).toEqual([7, 7, 7]);
      expect(codeOf(() => float32Codec.decode(float32Bytes(bad), 1, {}))).toBe('NON_FINITE_VALUES');
    }
  });

  it('names the first non-finite value, whether in the 16-byte groups checked with SIMD or in the rest, aligned or not', () => {
    const messages = [0, 5, 35, 36].flatMap((at) =>
      [0, 1].map((shift) => {
        const values = Array.from({ length: 37 }, (_, i) => (i === at ? Number.POSITIVE_INFINITY : i / 8));
        const bytes = new Uint8Array(4 * 37 + shift).subarray(shift);
        bytes.set(float32Bytes(...values));
        try {
          float32Codec.validateEncoded(bytes, 37, {});
          return 'accepted';
        } catch (error) {
          return (error as Error).message;
        }
      }),
    );

    expect(messages).toEqual([0, 5, 35, 36].flatMap((at) => [0, 1].map(() => `float32 value at index ${at} is Infinity`)));
  });

  it('refuses to encode non-finite values', () => {
    expect(codeOf(() => float32Codec.encode(Float32Array.of(0, Number.NaN), {}))).toBe('NON_FINITE_VALUES');
  });

  it('refuses a byte length that does not match the element count', () => {
    expect(codeOf(() => float32Codec.decode(new Uint8Array(7), 2, {}))).toBe('FRAME_MALFORMED');
    expect(codeOf(() => float32Codec.decode(new Uint8Array(12), 2, {}))).toBe('FRAME_MALFORMED');
  });

  it('refuses a target of the wrong length and a non-finite weight', () => {
    expect(codeOf(() => float32Codec.decodeInto(float32Bytes(1), 1, {}, new Float32Array(2), 1))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => float32Codec.decodeInto(float32Bytes(1), 1, {}, new Float32Array(1), Number.NaN))).toBe('VALIDATION_FAILED');
  });

  it('refuses unknown params, naming them', () => {
    expect(() => float32Codec.validateParams({ bits: 16 })).toThrow(/no param 'bits'/);
    expect(codeOf(() => float32Codec.validateParams({ bits: 16 }))).toBe('VALIDATION_FAILED');
  });
});
