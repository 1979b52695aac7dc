import { describe, expect, it } from 'vitest';
import { qsgdCodec } from './qsgd-codec.js';
import { errorCodeOf } from './testing/error-code.js';
import { createRandom } from './testing/random.js';
import { float32Bytes } from './testing/raw-frame.js';
import { biasedElements, meanDecoded } from './testing/statistics.js';

const BITS = [1, 2, 4, 8] as const;

function values(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: count }, () => (random.next() - 0.5) * 2 ** (random.int(8) - 4));
}

/** max |x| over the block holding each element. */
function blockScales(input: Float32Array, blockSize: number): Float32Array {
  return input.map((_, index) => {
    const start = index - (index % blockSize);
    return Math.max(...Array.from(input.subarray(start, start + blockSize), Math.abs));
  });
}

describe('qsgdCodec', () => {
  it('lays out block scales, then codes packed from the low bit: 2 bits, blocks of 2', () => {
    const bytes = qsgdCodec.encode(Float32Array.of(-1, 1, 0.5, -0.5, 2), { bits: 2, blockSize: 2 }, () => 0.5);

    // Scales 1, 0.5, 2; levels -1, -1/3, 1/3, 1 of the scale; codes 0, 3 | 3, 0 | 3 → 0b11_00_11_11_00... packed LSB first.
    expect(Array.from(bytes)).toEqual([...float32Bytes(1, 0.5, 2), 0b00_11_11_00 & 0xff, 0b0000_0011]);
    expect(Array.from(qsgdCodec.decode(bytes, 5, { bits: 2, blockSize: 2 }))).toEqual([-1, 1, 0.5, -0.5, 2]);
  });

  for (const bits of BITS) {
    for (const blockSize of [undefined, 16]) {
      const params = blockSize === undefined ? { bits } : { bits, blockSize };
      it(`${bits}-bit, ${blockSize === undefined ? 'per tensor' : `blocks of ${blockSize}`}: every value within one step 2s/(2^bits − 1) of its input`, () => {
        const input = values(100, bits);
        const scales = blockScales(input, blockSize ?? input.length);

        const bytes = qsgdCodec.encode(input, params, createRandom(9).next);
        const decoded = qsgdCodec.decode(bytes, input.length, params);

        const blocks = Math.ceil(100 / (blockSize ?? 100));
        expect(bytes.length).toBe(4 * blocks + Math.ceil((100 * bits) / 8));
        expect(qsgdCodec.encodedByteLength(100, params)).toBe(bytes.length);
        const outside = Array.from(input).filter((value, i) => Math.abs(value - decoded[i]!) > ((2 * scales[i]!) / (2 ** bits - 1)) * (1 + 2 ** -20));
        expect(outside).toEqual([]);
      });

      it(`${bits}-bit, ${blockSize === undefined ? 'per tensor' : `blocks of ${blockSize}`}: unbiased — the mean of 3,000 encodings is the input within 5 standard errors`, () => {
        const input = values(48, 100 + bits);
        const scales = blockScales(input, blockSize ?? input.length);
        const runs = 3_000;

        const mean = meanDecoded(qsgdCodec, input, params, runs, 7);

        // Each decoded value is one of two levels a step apart, so its standard deviation is at most step/2 = s/(2^bits − 1).
        expect(biasedElements(input, mean, (i) => scales[i]! / (2 ** bits - 1), runs)).toEqual([]);
      });
    }
  }

  it('is deterministic for a seeded random source and keeps an all-zero block at zero', () => {
    const input = Float32Array.of(0, 0, 0.3, -0.1);

    const first = qsgdCodec.encode(input, { bits: 4, blockSize: 2 }, createRandom(5).next);
    const second = qsgdCodec.encode(input, { bits: 4, blockSize: 2 }, createRandom(5).next);

    expect(second).toEqual(first);
    expect(Array.from(qsgdCodec.decode(first, 4, { bits: 4, blockSize: 2 }).subarray(0, 2), Math.abs)).toEqual([0, 0]);
  });

  it('adds exactly weight × the values decode returns, and a reader sees the same values', () => {
    const input = values(70, 4);
    const params = { bits: 8, blockSize: 16 };
    const bytes = qsgdCodec.encode(input, params, createRandom(2).next);
    const decoded = qsgdCodec.decode(bytes, 70, params);
    const target = new Float32Array(70).fill(0.5);

    qsgdCodec.decodeInto(bytes, 70, params, target, 3);

    expect(Array.from(target)).toEqual(Array.from(decoded, (value) => Math.fround(0.5 + Math.fround(3 * value))));
    expect(Array.from({ length: 70 }, (_, i) => qsgdCodec.reader!(bytes, 70, params)(i))).toEqual(Array.from(decoded));
  });

  it('refuses a NaN or infinite scale as NON_FINITE_VALUES and a negative one as FRAME_MALFORMED, untouched target', () => {
    const bytes = qsgdCodec.encode(Float32Array.of(1, 2, 3), { bits: 8, blockSize: 2 });
    const cases = [Number.NaN, Number.POSITIVE_INFINITY, -1].map((scale) => {
      const bad = bytes.slice();
      bad.set(float32Bytes(scale), 4);
      const target = Float32Array.of(7, 7, 7);
      const code = errorCodeOf(() => qsgdCodec.decodeInto(bad, 3, { bits: 8, blockSize: 2 }, target, 1));
      return `${scale}: ${code} ${target.join(',')}`;
    });

    expect(cases).toEqual(['NaN: NON_FINITE_VALUES 7,7,7', 'Infinity: NON_FINITE_VALUES 7,7,7', '-1: FRAME_MALFORMED 7,7,7']);
  });

  it('refuses set padding bits, and bytes sized for another bit width', () => {
    const bytes = qsgdCodec.encode(Float32Array.of(1, -1, 0.5), { bits: 2 });
    const padded = bytes.slice();
    padded[padded.length - 1]! |= 0x80;

    expect(errorCodeOf(() => qsgdCodec.decode(padded, 3, { bits: 2 }))).toBe('FRAME_MALFORMED');
    expect(errorCodeOf(() => qsgdCodec.decode(qsgdCodec.encode(Float32Array.of(1, 2, 3), { bits: 8 }), 3, { bits: 4 }))).toBe('FRAME_MALFORMED');
  });

  it('refuses params that are missing, unknown or out of range', () => {
    const refused = [{}, { bits: 3 }, { bits: '8' }, { bits: 8, blockSize: 0 }, { bits: 8, blockSize: 1.5 }, { bits: 8, scale: 1 }].map((params) =>
      errorCodeOf(() => qsgdCodec.validateParams(params)),
    );

    expect(refused).toEqual(Array(6).fill('VALIDATION_FAILED'));
  });
});
