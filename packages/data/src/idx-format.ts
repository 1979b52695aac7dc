/** Parser for the IDX format of the MNIST files (big-endian header, then raw values), unsigned bytes only. */
import { ShoalError } from '@shoal/protocol';

const UBYTE = 0x08;
const IDX_DTYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

function invalid(message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `IDX: ${message}`);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Returns the dimensions and a view (not a copy) of the data bytes. */
export function parseIdx(bytes: Uint8Array): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4) throw invalid(`file is ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const [zero0, zero1, dtype, ndims] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (zero0 !== 0 || zero1 !== 0) {
    throw invalid(`bad magic number: first two bytes are ${hex(zero0)} ${hex(zero1)}, expected 0x00 0x00`);
  }
  if (dtype !== UBYTE) {
    const name = IDX_DTYPES[dtype];
    throw invalid(
      name === undefined
        ? `unknown dtype ${hex(dtype)} in magic number`
        : `unsupported dtype ${hex(dtype)} (${name}); only ${hex(UBYTE)} (unsigned byte) is supported`,
    );
  }
  if (ndims === 0) throw invalid('magic number declares 0 dimensions');

  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw invalid(`truncated header: ${ndims} dimensions need ${headerLength} bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let expected = 1;
  for (let axis = 0; axis < ndims; axis++) {
    const extent = view.getUint32(4 + 4 * axis, false);
    if (extent === 0) throw invalid(`dimension ${axis} is 0`);
    dims.push(extent);
    expected *= extent;
  }
  if (!Number.isSafeInteger(expected)) throw invalid(`dimensions ${dims.join('x')} are too large`);

  const actual = bytes.length - headerLength;
  if (actual < expected) throw invalid(`truncated data: dimensions ${dims.join('x')} need ${expected} bytes, file has ${actual}`);
  if (actual > expected) throw invalid(`${actual - expected} trailing bytes after the ${expected} data bytes of ${dims.join('x')}`);
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, expected) };
}
