/** The files of protocols/v1/conformance as bytes keyed by relative path, and the encodings the vectors use. */
import { createHash } from 'node:crypto';

export class VectorSet {
  readonly files = new Map<string, Uint8Array>();

  /** Adds a binary file; refuses a path twice, so two vectors cannot silently share a file. */
  binary(path: string, bytes: Uint8Array): string {
    if (this.files.has(path)) throw new Error(`conformance file ${path} is generated twice`);
    this.files.set(path, Uint8Array.from(bytes));
    return path;
  }

  json(path: string, value: unknown): string {
    return this.binary(path, new TextEncoder().encode(`${formatJson(value)}\n`));
  }
}

/**
 * JSON for people: an object or array goes on one line when it fits in about 100 columns, and arrays of
 * numbers or strings always do; everything else is indented by two spaces. Undefined members are left out.
 */
export function formatJson(value: unknown, indent = ''): string {
  const compact = JSON.stringify(value);
  if (value === null || typeof value !== 'object') return compact;
  if (Array.isArray(value)) {
    if (compact.length + indent.length <= 100 || value.every((item) => item === null || typeof item !== 'object')) return compact;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => inner + formatJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (compact.length + indent.length <= 100) return compact;
  const inner = `${indent}  `;
  const members = Object.entries(value).filter(([, member]) => member !== undefined);
  return `{\n${members.map(([key, member]) => `${inner}${JSON.stringify(key)}: ${formatJson(member, inner)}`).join(',\n')}\n${indent}}`;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The little-endian float32 bytes of the values, as hex: exact, including -0, subnormals and NaN payloads. */
export function float32Hex(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(4 * values.length);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index++) view.setFloat32(4 * index, values[index]!, true);
  return hex(bytes);
}

export function float32FromHex(text: string): Float32Array {
  const bytes = fromHex(text);
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: bytes.length / 4 }, (_, index) => view.getFloat32(4 * index, true));
}

/** The raw bit pattern of each float32, so comparisons can tell -0 from 0 and see NaN payloads. */
export function float32Bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}
