/**
 * Sparsifying codecs: keep k = ⌈fraction · n⌉ entries of a tensor (the largest magnitudes, or k at
 * random scaled by n/k so the mean is exact), send their indices gap-coded and their values in a
 * dense value codec (float32, or qsgd for a composition such as topk+qsgd). Decoding adds only the
 * kept entries, so streaming aggregation touches k entries per tensor, not n.
 */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams, RandomSource } from './codec.js';
import { defineCodec, type DefinedCodec, type ValueReader } from './define-codec.js';
import { malformed } from './frame-errors.js';
import { randomKIndices, topKIndices } from './select-indices.js';
import { MAX_SPARSE_INDEX, indexListLength, varintLength, walkIndexList, writeIndexList } from './sparse-indices.js';

export type Selection = 'largest' | 'random';

export interface SparseCodecOptions {
  id: string;
  selection: Selection;
  /** Encodes the k kept values as a dense tensor of k elements; must have a reader and a size that depends only on k. */
  values: DefinedCodec;
}

const COUNT_BYTES = 4;

/** k for a tensor of n elements: ⌈fraction · n⌉ in IEEE-754 double arithmetic, at least 1 and at most n (0 when n = 0). */
export function keptCount(elementCount: number, fraction: number): number {
  return elementCount === 0 ? 0 : Math.min(elementCount, Math.max(1, Math.ceil(fraction * elementCount)));
}

function fractionOf(params: CodecParams): number {
  return params['fraction'] as number;
}

function valueParamsOf(params: CodecParams): CodecParams {
  const { fraction: _fraction, ...rest } = params;
  return rest;
}

export function sparseCodec({ id, selection, values }: SparseCodecOptions): DefinedCodec {
  const readerOf = values.reader;
  if (readerOf === undefined) throw new ShoalError('INTERNAL', `codec '${values.id}' cannot carry sparse values: it has no reader`);
  const valueBytes = (count: number, params: CodecParams): number => values.encodedByteLength(count, valueParamsOf(params))!;

  /** Checks the count and the index list; returns k and where the value bytes start. */
  const validateStructure = (bytes: Uint8Array, elementCount: number, params: CodecParams): { count: number; valuesOffset: number } => {
    if (bytes.length < COUNT_BYTES) throw malformed(`${id} tensor bytes are ${bytes.length} long; the kept count alone takes ${COUNT_BYTES}`);
    const count = new DataView(bytes.buffer, bytes.byteOffset, COUNT_BYTES).getUint32(0, true);
    const expected = keptCount(elementCount, fractionOf(params));
    if (count !== expected) {
      throw malformed(`${id} keeps ${count} entries; fraction ${fractionOf(params)} of ${elementCount} elements keeps ${expected}`, { kept: count, expectedKept: expected });
    }
    const valuesOffset = walkIndexList(bytes, COUNT_BYTES, count, elementCount);
    const needed = valueBytes(count, params);
    if (bytes.length - valuesOffset !== needed) {
      throw malformed(`${id} values take ${bytes.length - valuesOffset} bytes after the indices; ${count} ${values.id} values take ${needed}`, {
        byteLength: bytes.length - valuesOffset,
        expectedByteLength: needed,
      });
    }
    return { count, valuesOffset };
  };

  /** On validated bytes: the value section is the tensor's last valueBytes(k) bytes, and the varints are canonical. */
  const add = (bytes: Uint8Array, _elementCount: number, params: CodecParams, target: Float32Array, weight: number): void => {
    const count = new DataView(bytes.buffer, bytes.byteOffset, COUNT_BYTES).getUint32(0, true);
    const read: ValueReader = readerOf(bytes.subarray(bytes.length - valueBytes(count, params)), count, valueParamsOf(params));
    let at = COUNT_BYTES;
    let index = 0;
    for (let j = 0; j < count; j++) {
      let value = 0;
      let scale = 1;
      let byte: number;
      do {
        byte = bytes[at++]!;
        value += (byte & 0x7f) * scale;
        scale *= 0x80;
      } while (byte >= 0x80);
      index = j === 0 ? value : index + value;
      target[index]! += Math.fround(weight * read(j));
    }
  };

  return defineCodec({
    id,
    lossless: false,
    unbiased: selection === 'random' && values.unbiased === true,
    sparse: true,
    paramKeys: ['fraction', ...values.paramKeys],
    checkParams(params: CodecParams): void {
      const fraction = params['fraction'];
      if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
        throw new ShoalError('VALIDATION_FAILED', `codec '${id}' param fraction must be a number in (0, 1], got ${JSON.stringify(fraction)}`, {
          details: { codec: id, param: 'fraction' },
        });
      }
      values.validateParams(valueParamsOf(params));
    },
    maxByteLength: (elementCount, params) => {
      const count = keptCount(elementCount, fractionOf(params));
      return COUNT_BYTES + count * varintLength(Math.max(0, elementCount - 1)) + valueBytes(count, params);
    },

    encode(input: Float32Array, params: CodecParams, random: RandomSource): Uint8Array {
      const n = input.length;
      if (n - 1 > MAX_SPARSE_INDEX) throw new ShoalError('VALIDATION_FAILED', `${id} indexes at most 2^32 elements per tensor, got ${n}`);
      const count = keptCount(n, fractionOf(params));
      const indices = selection === 'largest' ? topKIndices(input, count) : randomKIndices(n, count, random);
      // Random-k scales the kept values by n/k, so each entry's expected decoded value is the input.
      const scale = selection === 'random' && count > 0 ? n / count : 1;
      const kept = Float32Array.from(indices, (index) => input[index]! * scale);
      const encodedValues = values.encode(kept, valueParamsOf(params), random);
      const bytes = new Uint8Array(COUNT_BYTES + indexListLength(indices) + encodedValues.length);
      new DataView(bytes.buffer).setUint32(0, count, true);
      bytes.set(encodedValues, writeIndexList(bytes, COUNT_BYTES, indices));
      return bytes;
    },

    validate(bytes: Uint8Array, elementCount: number, params: CodecParams): void {
      const { count, valuesOffset } = validateStructure(bytes, elementCount, params);
      values.validateEncoded(bytes.subarray(valuesOffset), count, valueParamsOf(params));
    },

    add,
  });
}
