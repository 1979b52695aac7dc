/** Little-endian float32 encoding, independent of the host's byte order. */
import { ShoalError } from '@shoal/protocol';

export function encodeFloat32LE(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

/** Decodes and refuses NaN and ±Infinity, naming the first offending value and `source`. */
export function decodeFiniteFloat32LE(bytes: Uint8Array, source: string): Float32Array {
  const values = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < values.length; i++) {
    const value = view.getFloat32(i * 4, true);
    if (!Number.isFinite(value)) {
      throw new ShoalError('VALIDATION_FAILED', `${source}: value ${i} is ${value}; features must be finite`, { details: { file: source, index: i } });
    }
    values[i] = value;
  }
  return values;
}
