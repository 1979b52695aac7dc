import { describe, expect, it } from 'vitest';
import { qsgdCodec } from './qsgd-codec.js';
import { randkCodec } from './randk-codec.js';
import { randkQsgdCodec } from './randk-qsgd-codec.js';
import { keptCount } from './sparse-codec.js';
import { errorCodeOf } from './testing/error-code.js';
import { createRandom } from './testing/random.js';
import { float32Bytes } from './testing/raw-frame.js';
import { biasedElements, meanDecoded } from './testing/statistics.js';
import { topkCodec } from './topk-codec.js';
import { topkQsgdCodec } from './topk-qsgd-codec.js';

const u32 = (value: number) => Array.from(new Uint8Array(Uint32Array.of(value).buffer));

function values(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: count }, () => random.next() - 0.5);
}

describe('keptCount', () => {
  it('is ⌈fraction · n⌉, at least 1 and at most n, and 0 for an empty tensor', () => {
    expect([keptCount(1000, 0.01), keptCount(199, 0.01), keptCount(5, 0.01), keptCount(5, 1), keptCount(0, 0.5)]).toEqual([10, 2, 1, 5, 0]);
  });
});

describe('topkCodec', () => {
  it('writes k, the gap-coded indices and the kept float32 values', () => {
    const input = new Float32Array(300);
    input[2] = 5;
    input[150] = -7;
    input[299] = 0.5;

    const bytes = topkCodec.encode(input, { fraction: 0.01 });

    // k = 3; indices 2, then gaps 148 (varint 94 01) and 149 (95 01); values in index order.
    expect(Array.from(bytes)).toEqual([...u32(3), 2, 0x94, 0x01, 0x95, 0x01, ...float32Bytes(5, -7, 0.5)]);
    expect(topkCodec.encodedByteLength(300, { fraction: 0.01 })).toBeUndefined();
    expect(bytes.length).toBeLessThanOrEqual(topkCodec.maxEncodedByteLength!(300, { fraction: 0.01 }));
  });

  it('keeps exactly the k largest magnitudes, decoded bit for bit, and zeros elsewhere', () => {
    const input = values(1000, 1);
    const threshold = Array.from(input, Math.abs).sort((a, b) => b - a)[49]!;

    const decoded = topkCodec.decode(topkCodec.encode(input, { fraction: 0.05 }), 1000, { fraction: 0.05 });

    expect(Array.from(decoded).filter((value) => value !== 0)).toHaveLength(50);
    expect(Array.from(input).every((value, i) => (Math.abs(value) >= threshold ? decoded[i] === value : decoded[i] === 0))).toBe(true);
  });

  it('adds only the kept entries into the target', () => {
    const input = Float32Array.of(0.1, -4, 0.2, 3, 0);
    const target = new Float32Array(5).fill(1);

    topkCodec.decodeInto(topkCodec.encode(input, { fraction: 0.4 }), 5, { fraction: 0.4 }, target, 0.5);

    expect(Array.from(target)).toEqual([1, -1, 1, 2.5, 1]);
  });
});

describe('randkCodec', () => {
  it('keeps k random entries scaled by n/k, deterministically for a seeded source', () => {
    const input = values(200, 2);
    const params = { fraction: 0.1 };

    const bytes = randkCodec.encode(input, params, createRandom(3).next);
    const decoded = randkCodec.decode(bytes, 200, params);

    expect(randkCodec.encode(input, params, createRandom(3).next)).toEqual(bytes);
    const kept = Array.from(decoded.keys()).filter((i) => decoded[i] !== 0);
    expect(kept).toHaveLength(20);
    expect(kept.every((i) => decoded[i] === Math.fround(input[i]! * 10))).toBe(true);
  });

  it('is unbiased: the mean of 20,000 encodings is the input within 5 standard errors', () => {
    const input = values(40, 5);
    const runs = 20_000;

    const mean = meanDecoded(randkCodec, input, { fraction: 0.25 }, runs, 6);

    // x̂ is x·n/k with probability k/n, else 0: standard deviation |x|·√(n/k − 1).
    expect(biasedElements(input, mean, (i) => Math.abs(input[i]!) * Math.sqrt(3), runs)).toEqual([]);
  });
});

describe('compositions', () => {
  it('topk+qsgd keeps the top-k entries, each within one qsgd step of its value', () => {
    const input = values(2000, 7);
    const params = { fraction: 0.05, bits: 8, blockSize: 32 };
    const exact = topkCodec.decode(topkCodec.encode(input, { fraction: 0.05 }), 2000, { fraction: 0.05 });

    const decoded = topkQsgdCodec.decode(topkQsgdCodec.encode(input, params, createRandom(1).next), 2000, params);

    const maxKept = Math.max(...Array.from(exact, Math.abs));
    const step = (2 * maxKept) / 255;
    expect(Array.from(decoded).every((value, i) => (exact[i] === 0 ? value === 0 : Math.abs(value - exact[i]!) <= step * (1 + 2 ** -20)))).toBe(true);
    expect(topkQsgdCodec.unbiased).toBe(false);
  });

  it('topk+qsgd at 1% and 8 bits takes about 2.3 bytes per kept value, 1/170 of float32', () => {
    const input = values(199_210, 8);

    const bytes = topkQsgdCodec.encode(input, { fraction: 0.01, bits: 8, blockSize: 256 });

    expect(bytes.length).toBeLessThan((4 * 199_210) / 150);
  });

  it('randk+qsgd is unbiased: the mean of 20,000 encodings is the input within 5 standard errors', () => {
    const input = values(24, 9);
    const runs = 20_000;
    const params = { fraction: 0.5, bits: 2 };

    const mean = meanDecoded(randkQsgdCodec, input, params, runs, 10);

    // Sparsification (σ = |x|·√(n/k − 1)) plus quantising values of magnitude up to 2·max|x| with 3 steps (σ ≤ 2·max|x|/3).
    const maxAbs = Math.max(...Array.from(input, Math.abs));
    expect(biasedElements(input, mean, (i) => Math.abs(input[i]!) + (2 * maxAbs) / 3, runs)).toEqual([]);
    expect(randkQsgdCodec.unbiased).toBe(true);
  });

  it('validates the sparsifier and the value codec params together', () => {
    expect(() => topkQsgdCodec.validateParams({ fraction: 0.01, bits: 8 })).not.toThrow();
    const refused = [{ bits: 8 }, { fraction: 0, bits: 8 }, { fraction: 1.5, bits: 8 }, { fraction: 0.1 }, { fraction: 0.1, bits: 8, extra: 1 }];

    expect(refused.map((params) => errorCodeOf(() => topkQsgdCodec.validateParams(params)))).toEqual(Array(5).fill('VALIDATION_FAILED'));
    expect(qsgdCodec.paramKeys).toEqual(['bits', 'blockSize']);
  });
});

describe('sparse decoding refuses bad bytes and leaves the target untouched', () => {
  // 200 elements at 1% keep 2 and allow 2-byte varints, so each case below stays within the codec's maximum size.
  const n = 200;
  const params = { fraction: 0.01 };
  const valid = (): number[] => [...u32(2), 1, 1, ...float32Bytes(1.5, -2)];

  const cases: Array<[string, number[], string]> = [
    ['an index out of range', [...u32(2), 1, 0xc7, 0x01, ...float32Bytes(1.5, -2)], 'FRAME_MALFORMED'],
    ['a repeated index (gap 0)', [...u32(2), 1, 0, ...float32Bytes(1.5, -2)], 'FRAME_MALFORMED'],
    ['a varint cut short', [...u32(2), 1, 0x82], 'FRAME_MALFORMED'],
    ['an overlong varint', [...u32(2), 0x81, 0x00, 1, ...float32Bytes(1.5, -2)], 'FRAME_MALFORMED'],
    ['a varint beyond 32 bits', [...u32(2), 0xff, 0xff, 0xff, 0xff, 0x1f], 'FRAME_MALFORMED'],
    ['a kept count that does not match the fraction', [...u32(1), 1, ...float32Bytes(1.5)], 'FRAME_MALFORMED'],
    ['a missing value', valid().slice(0, -4), 'FRAME_MALFORMED'],
    ['a trailing byte', [...valid(), 0], 'FRAME_MALFORMED'],
    ['a NaN value', [...u32(2), 1, 1, ...float32Bytes(1.5, Number.NaN)], 'NON_FINITE_VALUES'],
    ['fewer bytes than the count', [1, 0], 'FRAME_MALFORMED'],
    ['more bytes than the codec can need', [...valid(), 0, 0], 'FRAME_MALFORMED'],
  ];

  it('accepts the valid encoding the cases start from', () => {
    const decoded = topkCodec.decode(Uint8Array.from(valid()), n, params);

    expect(Array.from(decoded.subarray(0, 4))).toEqual([0, 1.5, -2, 0]);
    expect(topkCodec.maxEncodedByteLength!(n, params)).toBe(valid().length + 2);
  });

  for (const [label, bytes, code] of cases) {
    it(`refuses ${label} with ${code}`, () => {
      const target = new Float32Array(n).fill(9);

      const error = errorCodeOf(() => topkCodec.decodeInto(Uint8Array.from(bytes), n, params, target, 1));

      expect(error).toBe(code);
      expect(target.every((value) => value === 9)).toBe(true);
    });
  }

  it('names the problem: out of range, repeated, overlong', () => {
    const messages = cases.slice(0, 4).map(([, bytes]) => {
      try {
        topkCodec.decode(Uint8Array.from(bytes), n, params);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });

    expect(messages).toEqual([
      'sparse index 1 is 200, out of range for 200 elements',
      'sparse index 1 repeats index 1',
      'sparse index 1 is truncated at byte 6',
      'sparse index 0 is a non-canonical (overlong) varint',
    ]);
  });

  it('refuses a NaN scale of the quantised kept values', () => {
    const bytes = topkQsgdCodec.encode(Float32Array.of(0, 1, 0, -2), { fraction: 0.5, bits: 8 });
    bytes.set(float32Bytes(Number.NaN), 6);

    expect(errorCodeOf(() => topkQsgdCodec.decode(bytes, 4, { fraction: 0.5, bits: 8 }))).toBe('NON_FINITE_VALUES');
  });
});
