/** Half precision: each value rounded to the nearest IEEE 754 binary16, 2 bytes per element. */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams } from './codec.js';
import { defineCodec } from './define-codec.js';
import { float16Table, isNonFiniteFloat16, toFloat16Bits } from './float16-bits.js';
import { forEachChunk } from './typed-chunks.js';

function validate(bytes: Uint8Array): void {
  forEachChunk(bytes, Uint16Array, (chunk, first) => {
    for (let index = 0; index < chunk.length; index++) {
      if (isNonFiniteFloat16(chunk[index]!)) {
        const at = first + index;
        throw new ShoalError('NON_FINITE_VALUES', `float16 value at index ${at} is ${float16Table()[chunk[index]!]}`, { details: { index: at } });
      }
    }
  });
}

function add(bytes: Uint8Array, _elementCount: number, _params: CodecParams, target: Float32Array, weight: number): void {
  const values = float16Table();
  forEachChunk(bytes, Uint16Array, (chunk, first) => {
    for (let index = 0; index < chunk.length; index++) target[first + index]! += Math.fround(weight * values[chunk[index]!]!);
  });
}

export const float16Codec = defineCodec({
  id: 'float16',
  lossless: false,
  paramKeys: [],
  byteLength: (elementCount) => 2 * elementCount,

  encode(values: Float32Array): Uint8Array {
    const bytes = new Uint8Array(2 * values.length);
    for (let index = 0; index < values.length; index++) {
      const bits = toFloat16Bits(values[index]!);
      bytes[2 * index] = bits & 0xff;
      bytes[2 * index + 1] = bits >>> 8;
    }
    return bytes;
  },

  validate,
  add,

  decode(bytes: Uint8Array, elementCount: number): Float32Array {
    const values = new Float32Array(elementCount);
    const lookup = float16Table();
    forEachChunk(bytes, Uint16Array, (chunk, first) => {
      for (let index = 0; index < chunk.length; index++) values[first + index] = lookup[chunk[index]!]!;
    });
    return values;
  },

  reader(bytes: Uint8Array): (index: number) => number {
    const lookup = float16Table();
    return (index) => lookup[bytes[2 * index]! | (bytes[2 * index + 1]! << 8)]!;
  },
});
