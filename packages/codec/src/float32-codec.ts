/** The lossless codec: raw IEEE-754 float32 values, little-endian, 4 bytes per element. */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams } from './codec.js';
import { defineCodec } from './define-codec.js';
import { arenaOf, stagePieces, validationArena } from './accumulators.js';
import { forEachChunk } from './typed-chunks.js';

const ID = 'float32';

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** v·0 is 0 for finite v and NaN for NaN or ±Infinity, so one sum tells whether a chunk is all finite. */
function allFinite(values: Float32Array): boolean {
  let probe = 0;
  for (let index = 0; index < values.length; index++) probe += values[index]! * 0;
  return probe === 0;
}

/** True when some value is NaN or ±Infinity, checked with SIMD where available (16 bytes at a time, the rest in JS). */
function hasNonFinite(bytes: Uint8Array): boolean {
  const arena = validationArena();
  const whole = arena === undefined ? 0 : bytes.length - (bytes.length % 16);
  let found = false;
  if (arena !== undefined) stagePieces(arena, bytes, 0, whole, 16, (staged, _first, length) => (found ||= arena.kernels.nonfinite_f32(staged, length / 4) !== 0));
  if (!found) forEachChunk(bytes.subarray(whole), Float32Array, (chunk) => (found ||= !allFinite(chunk)));
  return found;
}

function validate(bytes: Uint8Array): void {
  if (!hasNonFinite(bytes)) return;
  forEachChunk(bytes, Float32Array, (chunk, first) => {
    if (allFinite(chunk)) return;
    const offset = chunk.findIndex((value) => !Number.isFinite(value));
    const index = first + offset;
    throw new ShoalError('NON_FINITE_VALUES', `float32 value at index ${index} is ${chunk[offset]}`, { details: { index } });
  });
}

function add(bytes: Uint8Array, _elementCount: number, _params: CodecParams, target: Float32Array, weight: number): void {
  const arena = arenaOf(target);
  let done = 0;
  if (arena !== undefined && Math.fround(weight) === weight) {
    done = bytes.length - (bytes.length % 16);
    stagePieces(arena, bytes, 0, done, 16, (staged, first, length) => arena.kernels.acc_f32(target.byteOffset + first, staged, length / 4, weight));
  }
  const offset = done / 4;
  forEachChunk(bytes.subarray(done), Float32Array, (chunk, first) => {
    const length = chunk.length;
    for (let index = 0; index < length; index++) target[offset + first + index]! += Math.fround(weight * chunk[index]!);
  });
}

export const float32Codec = defineCodec({
  id: ID,
  lossless: true,
  paramKeys: [],
  byteLength: (elementCount) => 4 * elementCount,

  encode(values: Float32Array): Uint8Array {
    const bytes = new Uint8Array(4 * values.length);
    const view = dataView(bytes);
    for (let index = 0; index < values.length; index++) view.setFloat32(4 * index, values[index]!, true);
    return bytes;
  },

  validate,
  add,

  /** Bit for bit, including -0, which adding into zeros would turn into +0. */
  decode(bytes: Uint8Array, elementCount: number): Float32Array {
    const values = new Float32Array(elementCount);
    forEachChunk(bytes, Float32Array, (chunk, first) => values.set(chunk, first));
    return values;
  },

  reader(bytes: Uint8Array): (index: number) => number {
    const view = dataView(bytes);
    return (index) => view.getFloat32(4 * index, true);
  },
});
