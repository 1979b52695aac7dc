/** The masked vector on the wire: `length` little-endian unsigned integers of ringBits/8 bytes each, nothing else. */
import { ShoalError } from '@shoal/protocol';
import type { RingBits } from './prg.js';

export function ringVectorBytes(length: number, ringBits: RingBits): number {
  return (length * ringBits) / 8;
}

export function ringToBytes(values: Uint32Array, ringBits: RingBits): Uint8Array {
  const bytes = new Uint8Array(ringVectorBytes(values.length, ringBits));
  const view = new DataView(bytes.buffer);
  if (ringBits === 32) for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i]!, true);
  else for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i]! & 0xffff, true);
  return bytes;
}

/** Refuses (SHAPE_MISMATCH) anything but exactly `length` elements. */
export function ringFromBytes(bytes: Uint8Array, ringBits: RingBits, length: number): Uint32Array {
  const expected = ringVectorBytes(length, ringBits);
  if (bytes.byteLength !== expected) {
    throw new ShoalError('SHAPE_MISMATCH', `the masked vector has ${bytes.byteLength} bytes; ${length} elements of a ${ringBits}-bit ring take exactly ${expected}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Uint32Array(length);
  if (ringBits === 32) for (let i = 0; i < length; i++) values[i] = view.getUint32(i * 4, true);
  else for (let i = 0; i < length; i++) values[i] = view.getUint16(i * 2, true);
  return values;
}
