/** Assembles and edits frames for the conformance vectors, on @shoal/codec/testing's rawFrame. */
import { rawFrame as assemble, type RawFrameParts } from '@shoal/codec/testing';

/** As @shoal/codec/testing's rawFrame, but a frame is of kind 2 (delta) unless it says otherwise. */
const rawFrame = (parts: RawFrameParts): Uint8Array => assemble({ kind: 2, ...parts });

export { rawFrame, type RawFrameParts };

export interface FrameParts {
  kind: number;
  header: { codec: { id: string; params: Record<string, unknown> }; tensors: Array<{ name: string; shape: number[]; byteLength: number }> };
  /** Each tensor's bytes, in header order. */
  tensors: number[][];
}

/** Splits a valid frame into its kind, its parsed header and each tensor's bytes (as editable lists). */
export function splitFrame(frame: Uint8Array): FrameParts {
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(frame.subarray(12, 12 + headerLength))) as FrameParts['header'];
  let offset = 12 + headerLength;
  const tensors = header.tensors.map((tensor) => {
    const bytes = Array.from(frame.subarray(offset, offset + tensor.byteLength));
    offset += tensor.byteLength;
    return bytes;
  });
  return { kind: frame[5]!, header, tensors };
}

/** Reassembles split parts, each byteLength set to its tensor's bytes. */
function joinFrame(parts: FrameParts): Uint8Array {
  const tensors = parts.header.tensors.map((tensor, index) => ({ ...tensor, byteLength: parts.tensors[index]!.length }));
  return rawFrame({ kind: parts.kind, header: { ...parts.header, tensors }, payload: parts.tensors.flat() });
}

/** A valid frame with one tensor's bytes edited (byteLengths follow the edit). */
export function editTensor(frame: Uint8Array, index: number, edit: (bytes: number[]) => void): Uint8Array {
  const parts = splitFrame(frame);
  edit(parts.tensors[index]!);
  return joinFrame(parts);
}

/** A valid frame with its parsed header edited and its payload kept. */
export function editHeader(frame: Uint8Array, edit: (header: FrameParts['header']) => unknown): Uint8Array {
  const parts = splitFrame(frame);
  return rawFrame({ kind: parts.kind, header: edit(parts.header), payload: parts.tensors.flat() });
}

export function withByte(frame: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Uint8Array.from(frame);
  copy[offset] = value;
  return copy;
}

export function withUint32(frame: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Uint8Array.from(frame);
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

function littleEndian(length: number, write: (view: DataView) => void): number[] {
  const bytes = new Uint8Array(length);
  write(new DataView(bytes.buffer));
  return Array.from(bytes);
}

export const u32 = (value: number): number[] => littleEndian(4, (view) => view.setUint32(0, value, true));

export const f32 = (...values: number[]): number[] => littleEndian(4 * values.length, (view) => values.forEach((value, index) => view.setFloat32(4 * index, value, true)));

/** float32 bytes of a raw bit pattern (NaN payloads, signalling NaNs). */
export const f32Bits = (bits: number): number[] => u32(bits);
