import { describe, expect, it } from 'vitest';
import { parseIdx } from './idx-format.js';
import { shoalErrorFrom } from './testing/test-support.js';

/** An IDX file: magic 00 00 dtype ndims, big-endian uint32 dims, then the data bytes. */
function idxBytes(dims: number[], data: number[], dtype = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, dtype, dims.length]);
  dims.forEach((extent, axis) => view.setUint32(4 + 4 * axis, extent, false));
  return new Uint8Array([...header, ...data]);
}

describe('parseIdx', () => {
  it('reads dims and a view of the data', () => {
    const bytes = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);

    const parsed = parseIdx(bytes);

    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.data.buffer).toBe(bytes.buffer);
  });

  it('reads dims larger than 255 as big-endian', () => {
    const bytes = idxBytes([300], new Array<number>(300).fill(7));

    expect(parseIdx(bytes).dims).toEqual([300]);
  });

  it.each([
    ['bad magic', new Uint8Array([1, 0, 8, 1, 0, 0, 0, 1, 9]), /bad magic/],
    ['shorter than the magic', new Uint8Array([0, 0]), /shorter than the 4-byte magic/],
    ['a float dtype', idxBytes([1], [0, 0, 0, 0], 0x0d), /unsupported dtype 0x0d \(float\)/],
    ['an unknown dtype', idxBytes([1], [0], 0x42), /unknown dtype 0x42/],
    ['zero dimensions declared', new Uint8Array([0, 0, 8, 0]), /0 dimensions/],
    ['a dimension of 0', idxBytes([0], []), /dimension 0 is 0/],
    ['a truncated header', new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]), /truncated header/],
    ['truncated data', idxBytes([2, 2], [1, 2, 3]), /truncated data.*need 4 bytes, file has 3/],
    ['trailing bytes', idxBytes([2], [1, 2, 3]), /1 trailing bytes/],
  ])('rejects %s', (_case, bytes, message) => {
    const error = shoalErrorFrom(() => parseIdx(bytes));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
