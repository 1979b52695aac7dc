import { describe, expect, it } from 'vitest';
import { FLOAT16_MAX, toFloat16Bits } from './float16-bits.js';
import { float16Codec } from './float16-codec.js';
import { errorCodeOf } from './testing/error-code.js';
import { createRandom } from './testing/random.js';

const bytesOf = (...bits: number[]) => Uint8Array.from(bits.flatMap((value) => [value & 0xff, value >>> 8]));

describe('float16Codec', () => {
  it('writes IEEE binary16 little-endian: 1, -2, 0.5, 65504, the smallest subnormal and -0', () => {
    const bytes = float16Codec.encode(Float32Array.of(1, -2, 0.5, 65504, 2 ** -24, -0), {});

    expect(Array.from(bytes)).toEqual(Array.from(bytesOf(0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000)));
    expect(Array.from(float16Codec.decode(bytes, 6, {}))).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0]);
  });

  it('round-trips within 2^-11 relative error for normal values and 2^-25 absolute below 2^-14', () => {
    const random = createRandom(3);
    // Magnitudes from 2^-31 to 2^15, all within the float16 range.
    const values = Float32Array.from({ length: 5000 }, () => (random.next() - 0.5) * 2 ** (random.int(47) - 30));

    const decoded = float16Codec.decode(float16Codec.encode(values, {}), values.length, {});

    const outside = Array.from(values).filter((value, i) => Math.abs(value - decoded[i]!) > Math.max(Math.abs(value) * 2 ** -11, 2 ** -25));
    expect(outside).toEqual([]);
  });

  it('rounds halfway cases to even and saturates beyond the float16 range instead of overflowing', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: even mantissa wins. 1 + 3·2^-11 rounds up to 1 + 2^-9.
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(toFloat16Bits(5 * 2 ** -25)).toBe(0x0002);
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(Array.from(float16Codec.decode(float16Codec.encode(Float32Array.of(1e6, -3e38), {}), 2, {}))).toEqual([FLOAT16_MAX, -FLOAT16_MAX]);
  });

  it('adds weight × the decoded values, aligned or not', () => {
    const bytes = float16Codec.encode(Float32Array.of(1.5, -0.25, 8), {});
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    const target = Float32Array.of(1, 1, 1);
    const other = Float32Array.of(1, 1, 1);

    float16Codec.decodeInto(bytes, 3, {}, target, 2);
    float16Codec.decodeInto(unaligned, 3, {}, other, 2);

    expect(Array.from(target)).toEqual([4, 0.5, 17]);
    expect(other).toEqual(target);
  });

  it('refuses NaN and Infinity bit patterns as NON_FINITE_VALUES before touching the target', () => {
    for (const bits of [0x7c00, 0xfc00, 0x7e00, 0x7c01]) {
      const target = Float32Array.of(5, 5);

      const code = errorCodeOf(() => float16Codec.decodeInto(bytesOf(0x3c00, bits), 2, {}, target, 1));

      expect(code).toBe('NON_FINITE_VALUES');
      expect(Array.from(target)).toEqual([5, 5]);
    }
  });

  it('refuses a byte length other than 2n, params and non-finite input', () => {
    expect(errorCodeOf(() => float16Codec.decode(new Uint8Array(3), 2, {}))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => float16Codec.validateParams({ bits: 16 }))).toBe('VALIDATION_FAILED');
    expect(errorCodeOf(() => float16Codec.encode(Float32Array.of(Number.NaN), {}))).toBe('NON_FINITE_VALUES');
  });
});
