import { describe, expect, it } from 'vitest';
import { int8Codec, int8Scale } from './int8-codec.js';
import { errorCodeOf } from './testing/error-code.js';
import { float32Bytes } from './testing/raw-frame.js';

function scaleOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
}

function encoded(scale: number, ...levels: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + levels.length);
  bytes.set(float32Bytes(scale), 0);
  new Int8Array(bytes.buffer, 4).set(levels);
  return bytes;
}

/** |x − x̂| ≤ s/2, plus float32 rounding of x̂ = q·s itself. */
function withinHalfStep(values: Float32Array, decoded: Float32Array, scale: number): boolean {
  return Array.from(values).every((value, index) => {
    const approx = decoded[index]!;
    return Math.abs(value - approx) <= (scale / 2) * (1 + 1e-7) + Math.abs(approx) * 2 ** -24;
  });
}

function seededValues(count: number, seed: number, magnitude: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * magnitude;
  });
}

describe('int8Codec', () => {
  it('round-trips within half a quantisation step per element', () => {
    for (const magnitude of [1e-3, 1, 250, 3e38, 1e-41]) {
      const values = seededValues(1000, 7, magnitude);

      const bytes = int8Codec.encode(values, {});
      const decoded = int8Codec.decode(bytes, values.length, {});

      expect(bytes.length).toBe(4 + values.length);
      expect(withinHalfStep(values, decoded, scaleOf(bytes))).toBe(true);
    }
  });

  it('uses a scale of max|x|/127, never below it, so no value is clipped', () => {
    const values = Float32Array.of(-2.54, 1, 0.5);

    const bytes = int8Codec.encode(values, {});

    expect(Math.abs(scaleOf(bytes) / (Math.fround(2.54) / 127) - 1)).toBeLessThan(2 ** -22);
    expect(scaleOf(bytes) * 127).toBeGreaterThanOrEqual(Math.fround(2.54));
    expect(new Int8Array(bytes.buffer, 4)[0]).toBe(-127);
  });

  it('encodes an all-zero tensor with scale 0 and decodes it to zeros', () => {
    const bytes = int8Codec.encode(Float32Array.of(0, -0, 0), {});

    expect(Array.from(bytes)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(int8Codec.decode(bytes, 3, {}))).toEqual([0, 0, 0]);
  });

  it('picks a scale whose 127 multiple stays finite even for float32 max', () => {
    const scale = int8Scale(3.4028234663852886e38);

    expect(Number.isFinite(Math.fround(scale * 127))).toBe(true);
  });

  it('accumulates weight × the same value decode returns', () => {
    const bytes = encoded(0.5, 3, -127);
    const target = Float32Array.of(1, 1);

    int8Codec.decodeInto(bytes, 2, {}, target, 2);

    expect(Array.from(target)).toEqual([4, -126]);
    expect(Array.from(int8Codec.decode(bytes, 2, {}))).toEqual([1.5, -63.5]);
  });

  it('refuses a NaN or infinite scale as NON_FINITE_VALUES before touching the target', () => {
    for (const scale of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3e38]) {
      const target = Float32Array.of(5);

      const code = errorCodeOf(() => int8Codec.decodeInto(encoded(scale, 1), 1, {}, target, 1));

      expect(code).toBe('NON_FINITE_VALUES');
      expect(Array.from(target)).toEqual([5]);
    }
  });

  it('refuses a negative scale and the level -128 as FRAME_MALFORMED', () => {
    expect(errorCodeOf(() => int8Codec.decode(encoded(-1, 1), 1, {}))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => int8Codec.decode(encoded(1, 3, -128), 2, {}))).toBe('FRAME_MALFORMED');
  });

  it('finds the level -128 wherever it is, in the 16-byte groups checked with SIMD or in the rest', () => {
    const messages = [0, 40, 95, 96, 99].map((at) => {
      const levels = Array.from({ length: 100 }, (_, i) => (i === at ? -128 : (i % 50) - 25));
      try {
        int8Codec.decode(encoded(0.5, ...levels), 100, {});
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });

    expect(messages).toEqual([0, 40, 95, 96, 99].map((at) => `int8 value at index ${at} is -128; values must be in [-127, 127]`));
  });

  it('refuses a byte length other than 4 + n', () => {
    expect(errorCodeOf(() => int8Codec.decode(new Uint8Array(5), 2, {}))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => int8Codec.decode(new Uint8Array(3), 0, {}))).toBe('FRAME_MALFORMED');
  });

  it('refuses non-finite input and unknown params', () => {
    expect(errorCodeOf(() => int8Codec.encode(Float32Array.of(Number.POSITIVE_INFINITY), {}))).toBe('NON_FINITE_VALUES');
    expect(() => int8Codec.validateParams({ scale: 1 })).toThrow(/no param 'scale'/);
  });
});
