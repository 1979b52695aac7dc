/**
 * The index list of a sparse tensor: ascending element indices, the first as is and each later one
 * as its gap from the previous, every number an unsigned LEB128 varint. A gap of 0 would repeat an
 * index, so it is refused, as are indices past the tensor and non-canonical varints.
 */
import { malformed } from './frame-errors.js';

/** Indices must fit a 5-byte varint: at most 2^32 − 1. */
export const MAX_SPARSE_INDEX = 2 ** 32 - 1;

export function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

function writeVarint(bytes: Uint8Array, offset: number, value: number): number {
  let rest = value;
  let at = offset;
  while (rest >= 0x80) {
    bytes[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  bytes[at++] = rest;
  return at;
}

/** Bytes the gap coding of these ascending indices takes. */
export function indexListLength(indices: Uint32Array): number {
  let length = 0;
  for (let j = 0; j < indices.length; j++) length += varintLength(j === 0 ? indices[0]! : indices[j]! - indices[j - 1]!);
  return length;
}

/** Writes the gap coding of ascending, distinct indices at `offset`; returns the offset after it. */
export function writeIndexList(bytes: Uint8Array, offset: number, indices: Uint32Array): number {
  let at = offset;
  for (let j = 0; j < indices.length; j++) at = writeVarint(bytes, at, j === 0 ? indices[0]! : indices[j]! - indices[j - 1]!);
  return at;
}

/**
 * Reads `count` gap-coded indices from `offset`, checking each against `elementCount`, and calls
 * `visit(j, index)` for the j-th; returns the offset just after the list. Throws FRAME_MALFORMED.
 */
export function walkIndexList(bytes: Uint8Array, offset: number, count: number, elementCount: number, visit?: (j: number, index: number) => void): number {
  let at = offset;
  let index = 0;
  for (let j = 0; j < count; j++) {
    let value = 0;
    for (let length = 0; ; length++) {
      if (at >= bytes.length) throw malformed(`sparse index ${j} is truncated at byte ${at}`, { keptIndex: j, byteOffset: at });
      const byte = bytes[at++]!;
      if (length === 4 && byte > 0x0f) throw malformed(`sparse index ${j} does not fit 32 bits`, { keptIndex: j });
      value += (byte & 0x7f) * 2 ** (7 * length);
      if ((byte & 0x80) === 0) {
        if (byte === 0 && length > 0) throw malformed(`sparse index ${j} is a non-canonical (overlong) varint`, { keptIndex: j });
        break;
      }
    }
    if (j > 0 && value === 0) throw malformed(`sparse index ${j} repeats index ${index}`, { keptIndex: j, index });
    index = j === 0 ? value : index + value;
    if (index >= elementCount) {
      throw malformed(`sparse index ${j} is ${index}, out of range for ${elementCount} elements`, { keptIndex: j, index, elementCount });
    }
    visit?.(j, index);
  }
  return at;
}
