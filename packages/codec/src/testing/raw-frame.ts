/** Test support: assembles frames field by field, including invalid ones, and splits valid ones apart. */
import { FRAME_PREFIX_BYTES } from '../frame-format.js';

export interface RawFrameParts {
  magic?: string;
  version?: number;
  kind?: number;
  reserved?: number;
  /** Bytes and strings are written as-is; anything else is JSON.stringify'd. */
  header: unknown;
  /** Overrides the header length field (defaults to the header's real length). */
  headerLength?: number;
  payload?: ArrayLike<number>;
}

export function rawFrame(parts: RawFrameParts): Uint8Array {
  const header =
    parts.header instanceof Uint8Array
      ? parts.header
      : new TextEncoder().encode(typeof parts.header === 'string' ? parts.header : JSON.stringify(parts.header));
  const payload = Uint8Array.from(parts.payload ?? []);
  const frame = new Uint8Array(FRAME_PREFIX_BYTES + header.length + payload.length);
  const view = new DataView(frame.buffer);
  frame.set(new TextEncoder().encode((parts.magic ?? 'SHOL').padEnd(4, '\0').slice(0, 4)), 0);
  frame[4] = parts.version ?? 1;
  frame[5] = parts.kind ?? 1;
  view.setUint16(6, parts.reserved ?? 0, true);
  view.setUint32(8, parts.headerLength ?? header.length, true);
  frame.set(header, FRAME_PREFIX_BYTES);
  frame.set(payload, FRAME_PREFIX_BYTES + header.length);
  return frame;
}

export interface FrameParts {
  kind: number;
  header: unknown;
  payload: Uint8Array;
}

/** Splits a well-formed frame into its kind, parsed header JSON and payload. */
export function splitFrame(frame: Uint8Array): FrameParts {
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(8, true);
  const end = FRAME_PREFIX_BYTES + headerLength;
  return {
    kind: frame[5]!,
    header: JSON.parse(new TextDecoder().decode(frame.subarray(FRAME_PREFIX_BYTES, end))) as unknown,
    payload: frame.slice(end),
  };
}

/** Float32 little-endian bytes of `values`, for hand-built payloads. */
export function float32Bytes(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(4 * index, value, true));
  return bytes;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
