/** The lossy codec: per-tensor symmetric 8-bit quantisation, a float32 scale followed by one int8 per element. */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams } from './codec.js';
import { arenaOf, stagePieces, validationArena } from './accumulators.js';
import { defineCodec } from './define-codec.js';
import { nextFloat32Down, nextFloat32Up } from './float32-bits.js';

const ID = 'int8';
const LEVELS = 127;
const SCALE_BYTES = 4;

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

/** Index of the first byte 0x80 (the level -128), or -1. SIMD tells whether there is one, sixteen bytes at a time. */
function firstMinus128(bytes: Uint8Array): number {
  const arena = validationArena();
  let from = 0;
  if (arena !== undefined) {
    const whole = bytes.length - (bytes.length % 16);
    let found = false;
    stagePieces(arena, bytes, 0, whole, 16, (staged, _first, length) => (found ||= arena.kernels.has_i8_min(staged, length) !== 0));
    if (!found) from = whole;
  }
  const index = scanForMinus128(bytes.subarray(from));
  return index < 0 ? -1 : from + index;
}

/** Index of the first byte 0x80, or -1; scans four bytes per step where aligned. */
function scanForMinus128(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length && (bytes.byteOffset + index) % 4 !== 0) {
    if (bytes[index] === 0x80) return index;
    index++;
  }
  if (index >= bytes.length) return -1;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + index, Math.floor((bytes.length - index) / 4));
  for (let word = 0; word < words.length; word++) {
    // Classic "has a zero byte" test on x ^ 0x80808080: true when some byte of x is 0x80.
    const flipped = words[word]! ^ 0x80808080;
    if (((flipped - 0x01010101) & ~flipped & 0x80808080) !== 0) {
      index += 4 * word;
      while (bytes[index] !== 0x80) index++;
      return index;
    }
  }
  for (index += 4 * words.length; index < bytes.length; index++) if (bytes[index] === 0x80) return index;
  return -1;
}

/**
 * A scale that would make a decoded value NaN or infinite is NON_FINITE_VALUES (as a NaN inside a
 * float32 payload is); a finite but impossible one (negative) is FRAME_MALFORMED. Shared with int8-channel.
 */
export function checkInt8Scale(codecId: string, scale: number, details: Record<string, unknown> = {}): void {
  if (!Number.isFinite(scale)) {
    throw new ShoalError('NON_FINITE_VALUES', `${codecId} scale is ${scale}`, { details: { ...details, scale: String(scale) } });
  }
  if (scale < 0) {
    throw new ShoalError('FRAME_MALFORMED', `${codecId} scale is negative (${scale}); it must be ≥ 0`, { details: { ...details, scale } });
  }
  if (!Number.isFinite(Math.fround(scale * LEVELS))) {
    throw new ShoalError('NON_FINITE_VALUES', `${codecId} scale ${scale} makes 127·scale overflow float32`, { details: { ...details, scale } });
  }
}

/** The byte -128 is a level no conforming encoder writes (levels are symmetric): FRAME_MALFORMED. */
export function checkInt8Levels(codecId: string, levels: Uint8Array): void {
  const index = firstMinus128(levels);
  if (index >= 0) {
    throw new ShoalError('FRAME_MALFORMED', `${codecId} value at index ${index} is -128; values must be in [-127, 127]`, { details: { index } });
  }
}

function validate(bytes: Uint8Array, elementCount: number): void {
  checkInt8Scale(ID, readScale(bytes));
  checkInt8Levels(ID, bytes.subarray(SCALE_BYTES, SCALE_BYTES + elementCount));
}

/** float32(weight · x̂) for each of the 256 byte values. */
const scaledLevels = new Float32Array(256);

function add(bytes: Uint8Array, elementCount: number, _params: CodecParams, target: Float32Array, weight: number): void {
  const scale = readScale(bytes);
  const arena = arenaOf(target);
  let done = 0;
  if (arena !== undefined && Math.fround(weight) === weight) {
    done = elementCount - (elementCount % 16);
    stagePieces(arena, bytes, SCALE_BYTES, SCALE_BYTES + done, 16, (staged, first, length) =>
      arena.kernels.acc_i8(target.byteOffset + 4 * (first - SCALE_BYTES), staged, length, scale, weight),
    );
  }
  for (let level = -LEVELS; level <= LEVELS; level++) scaledLevels[level & 0xff] = weight * Math.fround(level * scale);
  const levels = bytes.subarray(SCALE_BYTES, SCALE_BYTES + elementCount);
  for (let index = done; index < elementCount; index++) target[index]! += scaledLevels[levels[index]!]!;
}

export const int8Codec = defineCodec({
  id: ID,
  lossless: false,
  paramKeys: [],
  byteLength: (elementCount) => SCALE_BYTES + elementCount,

  encode(values: Float32Array): Uint8Array {
    let maxAbs = 0;
    for (const value of values) maxAbs = Math.max(maxAbs, Math.abs(value));
    const scale = int8Scale(maxAbs);
    const bytes = new Uint8Array(SCALE_BYTES + values.length);
    new DataView(bytes.buffer).setFloat32(0, scale, true);
    if (scale === 0) return bytes;
    const levels = quantised(bytes, values.length);
    for (let index = 0; index < values.length; index++) {
      const level = Math.round(values[index]! / scale);
      levels[index] = Math.max(-LEVELS, Math.min(LEVELS, level));
    }
    return bytes;
  },

  validate,
  add,

  decode(bytes: Uint8Array, elementCount: number): Float32Array {
    const scale = readScale(bytes);
    const levels = quantised(bytes, elementCount);
    const values = new Float32Array(elementCount);
    for (let index = 0; index < elementCount; index++) values[index] = levels[index]! * scale;
    return values;
  },

  reader(bytes: Uint8Array): (index: number) => number {
    const scale = readScale(bytes);
    return (index) => Math.fround(((bytes[SCALE_BYTES + index]! << 24) >> 24) * scale);
  },
});
