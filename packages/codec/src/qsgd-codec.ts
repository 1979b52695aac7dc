/**
 * Unbiased stochastic uniform quantisation (QSGD-style) at 1, 2, 4 or 8 bits, with one float32
 * scale per tensor or per block: each value is rounded at random to one of the two nearest of
 * 2^bits evenly spaced levels on [-scale, scale], with probabilities that make the mean exact.
 */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams, RandomSource } from './codec.js';
import { arenaOf, stagePieces } from './accumulators.js';
import { defineCodec } from './define-codec.js';
import { MAX_DIMENSION } from './frame-format.js';

export const QSGD_BITS: readonly number[] = [1, 2, 4, 8];

function invalid(param: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `codec 'qsgd' param ${param} ${message}`, { details: { codec: 'qsgd', param } });
}

/** Also used by composed codecs, whose params include the qsgd ones. */
export function checkQsgdParams(params: CodecParams): void {
  const { bits, blockSize } = params;
  if (bits === undefined) throw invalid('bits', `is required (one of ${QSGD_BITS.join(', ')})`);
  if (typeof bits !== 'number' || !QSGD_BITS.includes(bits)) throw invalid('bits', `must be one of ${QSGD_BITS.join(', ')}, got ${JSON.stringify(bits)}`);
  if (blockSize !== undefined && (typeof blockSize !== 'number' || !Number.isInteger(blockSize) || blockSize < 1 || blockSize > MAX_DIMENSION)) {
    throw invalid('blockSize', `must be an integer from 1 to ${MAX_DIMENSION}, got ${JSON.stringify(blockSize)}`);
  }
}

interface Layout {
  bits: number;
  /** 2^bits − 1: the number of steps between -scale and scale. */
  steps: number;
  blockSize: number;
  blocks: number;
  /** Where the packed codes start, after the block scales. */
  codesOffset: number;
  byteLength: number;
}

function layoutOf(elementCount: number, params: CodecParams): Layout {
  const bits = params['bits'] as number;
  const blockSize = (params['blockSize'] as number | undefined) ?? Math.max(elementCount, 1);
  const blocks = Math.ceil(elementCount / blockSize);
  const codesOffset = 4 * blocks;
  return { bits, steps: 2 ** bits - 1, blockSize, blocks, codesOffset, byteLength: codesOffset + Math.ceil((elementCount * bits) / 8) };
}

const multiplierTables = new Map<number, Float32Array>();

/** t[c] = float32((2c − steps) / steps): the level of code c as a fraction of the scale, from -1 to 1. */
function multipliers(steps: number): Float32Array {
  let table = multiplierTables.get(steps);
  if (table === undefined) {
    table = Float32Array.from({ length: steps + 1 }, (_, code) => (2 * code - steps) / steps);
    multiplierTables.set(steps, table);
  }
  return table;
}

function scalesView(bytes: Uint8Array, layout: Layout): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, layout.codesOffset);
}

function encode(values: Float32Array, params: CodecParams, random: RandomSource): Uint8Array {
  const layout = layoutOf(values.length, params);
  const { bits, steps, blockSize, codesOffset } = layout;
  const bytes = new Uint8Array(layout.byteLength);
  const scales = scalesView(bytes, layout);
  for (let block = 0; block < layout.blocks; block++) {
    const start = block * blockSize;
    const end = Math.min(values.length, start + blockSize);
    let scale = 0;
    for (let index = start; index < end; index++) scale = Math.max(scale, Math.abs(values[index]!));
    scales.setFloat32(4 * block, scale, true);
    if (scale === 0) continue;
    for (let index = start; index < end; index++) {
      const position = ((values[index]! / scale + 1) * steps) / 2;
      const floor = Math.floor(position);
      const code = Math.min(steps, floor + (random() < position - floor ? 1 : 0));
      const bit = index * bits;
      bytes[codesOffset + (bit >>> 3)]! |= code << (bit & 7);
    }
  }
  return bytes;
}

function validate(bytes: Uint8Array, elementCount: number, params: CodecParams): void {
  const layout = layoutOf(elementCount, params);
  const scales = scalesView(bytes, layout);
  for (let block = 0; block < layout.blocks; block++) {
    const scale = scales.getFloat32(4 * block, true);
    if (!Number.isFinite(scale)) throw new ShoalError('NON_FINITE_VALUES', `qsgd scale of block ${block} is ${scale}`, { details: { block, scale: String(scale) } });
    if (scale < 0) throw new ShoalError('FRAME_MALFORMED', `qsgd scale of block ${block} is negative (${scale})`, { details: { block, scale } });
  }
  const usedBits = (elementCount * layout.bits) % 8;
  if (usedBits !== 0 && bytes[layout.byteLength - 1]! >>> usedBits !== 0) {
    throw new ShoalError('FRAME_MALFORMED', `qsgd padding bits after the last code must be 0`, { details: { byteOffset: layout.byteLength - 1 } });
  }
}

/** float32(weight · level) for each code of one block. */
const weightedLevels = new Float32Array(256);

/** target[i] += float32(weight · x̂_i) for i in [start, end), all in one block of the given scale. */
function addBlock(codes: Uint8Array, layout: Layout, start: number, end: number, scale: number, target: Float32Array, weight: number): void {
  const { bits, steps } = layout;
  const table = multipliers(steps);
  if (bits === 8 && end - start < 2 * (steps + 1)) {
    // A short block does not repay filling the 256-entry table.
    for (let index = start; index < end; index++) target[index]! += Math.fround(weight * Math.fround(scale * table[codes[index]!]!));
    return;
  }
  for (let code = 0; code <= steps; code++) weightedLevels[code] = weight * Math.fround(scale * table[code]!);
  if (bits === 8) {
    for (let index = start; index < end; index++) target[index]! += weightedLevels[codes[index]!]!;
    return;
  }
  for (let index = start; index < end; index++) {
    const bit = index * bits;
    target[index]! += weightedLevels[(codes[bit >>> 3]! >>> (bit & 7)) & steps]!;
  }
}

function add(bytes: Uint8Array, elementCount: number, params: CodecParams, target: Float32Array, weight: number): void {
  const layout = layoutOf(elementCount, params);
  const { blockSize } = layout;
  const scales = scalesView(bytes, layout);
  const codes = bytes.subarray(layout.codesOffset);
  const scaleOf = (index: number) => scales.getFloat32(4 * Math.floor(index / blockSize), true);
  const arena = arenaOf(target);
  if (layout.bits === 8 && arena !== undefined && Math.fround(weight) === weight) {
    // Whole 16-code groups of each block go to the SIMD kernel, block by block; the rest to addBlock.
    stagePieces(arena, codes, 0, elementCount, blockSize, (staged, first, length) => {
      for (let start = first; start < first + length; start = Math.min(first + length, (Math.floor(start / blockSize) + 1) * blockSize)) {
        const end = Math.min(first + length, (Math.floor(start / blockSize) + 1) * blockSize);
        const simd = (end - start) - ((end - start) % 16);
        arena.kernels.acc_qsgd8(target.byteOffset + 4 * start, staged + (start - first), simd, scaleOf(start), weight);
        if (start + simd < end) addBlock(codes, layout, start + simd, end, scaleOf(start), target, weight);
      }
    });
    return;
  }
  for (let block = 0; block < layout.blocks; block++) {
    const start = block * blockSize;
    addBlock(codes, layout, start, Math.min(elementCount, start + blockSize), scaleOf(start), target, weight);
  }
}

export const qsgdCodec = defineCodec({
  id: 'qsgd',
  lossless: false,
  unbiased: true,
  paramKeys: ['bits', 'blockSize'],
  checkParams: checkQsgdParams,
  byteLength: (elementCount, params) => layoutOf(elementCount, params).byteLength,
  encode,
  validate,
  add,

  reader(bytes: Uint8Array, elementCount: number, params: CodecParams): (index: number) => number {
    const layout = layoutOf(elementCount, params);
    const { bits, steps, blockSize, codesOffset } = layout;
    const table = multipliers(steps);
    const scales = scalesView(bytes, layout);
    return (index) => {
      const bit = index * bits;
      const code = (bytes[codesOffset + (bit >>> 3)]! >>> (bit & 7)) & steps;
      return Math.fround(scales.getFloat32(4 * Math.floor(index / blockSize), true) * table[code]!);
    };
  },
});
