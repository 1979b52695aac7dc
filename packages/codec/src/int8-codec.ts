/** The lossy codec: per-tensor symmetric 8-bit quantisation, a float32 scale followed by one int8 per element. */
import { ShoalError } from '@shoal/protocol';
import type { Codec, CodecParams } from './codec.js';
import { checkByteLength, checkElementCount, checkTarget, refuseNonFiniteInput, refuseUnknownParams } from './codec-checks.js';
import { nextFloat32Down, nextFloat32Up } from './float32-bits.js';

const ID = 'int8';
const LEVELS = 127;
const SCALE_BYTES = 4;

function byteLengthFor(elementCount: number): number {
  return SCALE_BYTES + elementCount;
}

/**
 * The scale is max|x|/127 rounded up to a float32, so |x/s| ≤ 127 and rounding alone bounds the
 * error by s/2 (rounding to nearest can clip in the subnormal range). It is stepped back down in
 * the one case where 127·s would overflow float32, which decoders refuse as non-finite.
 */
export function int8Scale(maxAbs: number): number {
  if (maxAbs === 0) return 0;
  let scale = Math.fround(maxAbs / LEVELS);
  if (scale * LEVELS < maxAbs) scale = nextFloat32Up(scale);
  while (!Number.isFinite(Math.fround(scale * LEVELS))) scale = nextFloat32Down(scale);
  return scale;
}

function readScale(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, SCALE_BYTES).getFloat32(0, true);
}

function quantised(bytes: Uint8Array, elementCount: number): Int8Array {
  return new Int8Array(bytes.buffer, bytes.byteOffset + SCALE_BYTES, elementCount);
}

/**
 * A scale that would make a decoded value NaN or infinite is NON_FINITE_VALUES (as a NaN inside a
 * float32 payload is); a finite but impossible encoding (negative scale, the byte -128) is FRAME_MALFORMED.
 */
function validateEncoded(bytes: Uint8Array, elementCount: number, params: CodecParams): void {
  refuseUnknownParams(ID, params, []);
  checkElementCount(ID, elementCount);
  checkByteLength(ID, bytes, elementCount, byteLengthFor(elementCount));
  const scale = readScale(bytes);
  if (!Number.isFinite(scale)) {
    throw new ShoalError('NON_FINITE_VALUES', `int8 scale is ${scale}`, { details: { scale: String(scale) } });
  }
  if (scale < 0) {
    throw new ShoalError('FRAME_MALFORMED', `int8 scale is negative (${scale}); it must be ≥ 0`, { details: { scale } });
  }
  if (!Number.isFinite(Math.fround(scale * LEVELS))) {
    throw new ShoalError('NON_FINITE_VALUES', `int8 scale ${scale} makes 127·scale overflow float32`, { details: { scale } });
  }
  const levels = quantised(bytes, elementCount);
  for (let index = 0; index < elementCount; index++) {
    if (levels[index] === -128) {
      throw new ShoalError('FRAME_MALFORMED', `int8 value at index ${index} is -128; values must be in [-127, 127]`, {
        details: { index },
      });
    }
  }
}

export const int8Codec: Codec = Object.freeze({
  id: ID,
  lossless: false,

  validateParams(params: CodecParams): void {
    refuseUnknownParams(ID, params, []);
  },

  encodedByteLength(elementCount: number): number {
    return byteLengthFor(elementCount);
  },

  encode(values: Float32Array, params: CodecParams): Uint8Array {
    refuseUnknownParams(ID, params, []);
    refuseNonFiniteInput(ID, values);
    let maxAbs = 0;
    for (const value of values) maxAbs = Math.max(maxAbs, Math.abs(value));
    const scale = int8Scale(maxAbs);
    const bytes = new Uint8Array(byteLengthFor(values.length));
    new DataView(bytes.buffer).setFloat32(0, scale, true);
    if (scale === 0) return bytes;
    const levels = quantised(bytes, values.length);
    for (let index = 0; index < values.length; index++) {
      const level = Math.round(values[index]! / scale);
      levels[index] = Math.max(-LEVELS, Math.min(LEVELS, level));
    }
    return bytes;
  },

  validateEncoded,

  decodeInto(bytes: Uint8Array, elementCount: number, params: CodecParams, target: Float32Array, weight: number): void {
    validateEncoded(bytes, elementCount, params);
    checkTarget(ID, target, elementCount, weight);
    const scale = readScale(bytes);
    const levels = quantised(bytes, elementCount);
    // fround makes weight·x̂ use exactly the value decode() would return.
    for (let index = 0; index < elementCount; index++) target[index]! += weight * Math.fround(levels[index]! * scale);
  },

  decode(bytes: Uint8Array, elementCount: number, params: CodecParams): Float32Array {
    validateEncoded(bytes, elementCount, params);
    const scale = readScale(bytes);
    const levels = quantised(bytes, elementCount);
    const values = new Float32Array(elementCount);
    for (let index = 0; index < elementCount; index++) values[index] = levels[index]! * scale;
    return values;
  },
});
