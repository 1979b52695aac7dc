/** The lossless codec: raw IEEE-754 float32 values, little-endian, 4 bytes per element. */
import { ShoalError } from '@shoal/protocol';
import type { Codec, CodecParams } from './codec.js';
import { checkByteLength, checkElementCount, checkTarget, refuseNonFiniteInput, refuseUnknownParams } from './codec-checks.js';

const ID = 'float32';

function byteLengthFor(elementCount: number): number {
  return 4 * elementCount;
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function validateEncoded(bytes: Uint8Array, elementCount: number, params: CodecParams): void {
  refuseUnknownParams(ID, params, []);
  checkElementCount(ID, elementCount);
  checkByteLength(ID, bytes, elementCount, byteLengthFor(elementCount));
  // A float32 is NaN or ±Infinity exactly when its 8 exponent bits are all ones: bits 0-6 of the
  // last byte and bit 7 of the third (little-endian). Scanning bytes avoids decoding twice.
  for (let index = 0; index < elementCount; index++) {
    const high = bytes[4 * index + 3]!;
    const next = bytes[4 * index + 2]!;
    if ((high & 0x7f) === 0x7f && (next & 0x80) === 0x80) {
      const value = dataView(bytes).getFloat32(4 * index, true);
      throw new ShoalError('NON_FINITE_VALUES', `float32 value at index ${index} is ${value}`, { details: { index } });
    }
  }
}

export const float32Codec: Codec = Object.freeze({
  id: ID,
  lossless: true,

  validateParams(params: CodecParams): void {
    refuseUnknownParams(ID, params, []);
  },

  encodedByteLength(elementCount: number): number {
    return byteLengthFor(elementCount);
  },

  encode(values: Float32Array, params: CodecParams): Uint8Array {
    refuseUnknownParams(ID, params, []);
    refuseNonFiniteInput(ID, values);
    const bytes = new Uint8Array(byteLengthFor(values.length));
    const view = dataView(bytes);
    for (let index = 0; index < values.length; index++) view.setFloat32(4 * index, values[index]!, true);
    return bytes;
  },

  validateEncoded,

  decodeInto(bytes: Uint8Array, elementCount: number, params: CodecParams, target: Float32Array, weight: number): void {
    validateEncoded(bytes, elementCount, params);
    checkTarget(ID, target, elementCount, weight);
    const view = dataView(bytes);
    for (let index = 0; index < elementCount; index++) target[index]! += weight * view.getFloat32(4 * index, true);
  },

  decode(bytes: Uint8Array, elementCount: number, params: CodecParams): Float32Array {
    validateEncoded(bytes, elementCount, params);
    const values = new Float32Array(elementCount);
    const view = dataView(bytes);
    for (let index = 0; index < elementCount; index++) values[index] = view.getFloat32(4 * index, true);
    return values;
  },
});
