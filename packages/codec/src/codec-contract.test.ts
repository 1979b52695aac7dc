/** Properties every default codec shares, checked on each: the contract of codec.ts, frame round trips, strict params. */
import { describe, expect, it } from 'vitest';
import { createAccumulators } from './accumulators.js';
import { isStreamingCodec } from './codec.js';
import { decodeFrame } from './decode-frame.js';
import { DEFAULT_CODECS } from './default-codecs.js';
import { encodeFrame } from './encode-frame.js';
import { maxEncodedFrameBytes } from './frame-size.js';
import { readFrameHeader } from './read-frame-header.js';
import { errorCodeOf } from './testing/error-code.js';
import { createRandom } from './testing/random.js';
import { SMALL_TENSOR_CODECS } from './testing/sample-codecs.js';
import { MNIST_2NN, TINY_MODEL, tensorsFor } from './testing/sample-model.js';

describe('every default codec', () => {
  it('has a sample selection, so the properties below cover all of them', () => {
    expect(new Set(SMALL_TENSOR_CODECS.map((sample) => sample.selection.id))).toEqual(new Set(DEFAULT_CODECS.map((codec) => codec.id)));
  });

  for (const { selection } of SMALL_TENSOR_CODECS) {
    const codec = DEFAULT_CODECS.find((candidate) => candidate.id === selection.id)!;
    const { params } = selection;

    describe(`${selection.id} ${JSON.stringify(params)}`, () => {
      it('round-trips a frame: decodeFrame returns what decode returns for each tensor, and the size is within the bound', () => {
        const tensors = tensorsFor(TINY_MODEL, 3, 2);
        const frame = encodeFrame('delta', tensors, selection, undefined, createRandom(1).next);

        const { header, tensors: decoded } = decodeFrame(frame, { expected: TINY_MODEL, expectedKind: 'delta' });

        expect(header.codec).toEqual(selection);
        expect(frame.length - header.payloadOffset).toBeLessThanOrEqual(maxEncodedFrameBytes(TINY_MODEL, selection));
        const random = createRandom(1);
        const encoded = tensors.map((tensor) => codec.encode(tensor.values, params, random.next, tensor.shape));
        expect(decoded.map((tensor) => tensor.values)).toEqual(encoded.map((bytes, t) => codec.decode(bytes, tensors[t]!.values.length, params)));
        if (codec.lossless) expect(decoded).toEqual(tensors);
      });

      it('adds exactly float32(weight × decoded) in decodeInto, its unchecked streaming path and its SIMD path', () => {
        // 203 elements: whole 16-value groups for the SIMD kernels and a remainder for the JS loop.
        const input = tensorsFor([{ name: 'x', shape: [203] }], 5, 3)[0]!.values;
        const bytes = codec.encode(input, params, createRandom(2).next);
        const decoded = codec.decode(bytes, input.length, params);
        const checked = new Float32Array(input.length).fill(0.25);
        const unchecked = new Float32Array(input.length).fill(0.25);
        const [simd] = createAccumulators([input.length]);
        simd!.fill(0.25);

        codec.decodeInto(bytes, input.length, params, checked, 7);
        if (isStreamingCodec(codec)) codec.addValidated(bytes, input.length, params, unchecked, 7);
        codec.decodeInto(bytes, input.length, params, simd!, 7);

        expect(Array.from(checked)).toEqual(Array.from(decoded, (value) => Math.fround(0.25 + Math.fround(7 * value))));
        expect(isStreamingCodec(codec)).toBe(true);
        expect(unchecked).toEqual(checked);
        expect(Array.from(simd!)).toEqual(Array.from(checked));
      });

      it('encodes an empty tensor and a scalar', () => {
        for (const input of [new Float32Array(0), Float32Array.of(-3)]) {
          const bytes = codec.encode(input, params);

          expect(codec.decode(bytes, input.length, params)).toHaveLength(input.length);
        }
      });

      it('is reproducible from a seeded random source', () => {
        const input = tensorsFor(MNIST_2NN.slice(3, 4), 6)[0]!.values;

        expect(codec.encode(input, params, createRandom(4).next)).toEqual(codec.encode(input, params, createRandom(4).next));
      });

      it('refuses an unknown param, in the codec and in a frame header', () => {
        const frame = encodeFrame('delta', tensorsFor(TINY_MODEL), selection);
        const text = Buffer.from(frame).toString('latin1');
        const edited = text.replace('"params":{', '"params":{"zzz":1,');
        const withParam = Uint8Array.from(Buffer.from(edited, 'latin1'));
        new DataView(withParam.buffer).setUint32(8, new DataView(frame.buffer).getUint32(8, true) + 8, true);

        expect(errorCodeOf(() => codec.validateParams({ ...params, zzz: 1 }))).toBe('VALIDATION_FAILED');
        expect(errorCodeOf(() => readFrameHeader(withParam))).toBe('FRAME_MALFORMED');
        expect(errorCodeOf(() => codec.encode(Float32Array.of(Number.POSITIVE_INFINITY), params))).toBe('NON_FINITE_VALUES');
      });
    });
  }
});
