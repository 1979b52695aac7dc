/**
 * Little-endian typed views over payload bytes. A tensor's bytes sit at any offset in a frame, so
 * an unaligned payload is viewed through a small reused scratch buffer, chunk by chunk: decoding
 * never allocates in proportion to the tensor.
 */

export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const SCRATCH = new ArrayBuffer(1 << 16);
const scratchBytes = new Uint8Array(SCRATCH);

interface TypedViewConstructor<V> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): V;
  readonly BYTES_PER_ELEMENT: number;
}

/** Reverses each element's bytes in place (only on big-endian hosts). */
function swapBytes(bytes: Uint8Array, length: number, size: number): void {
  for (let start = 0; start < length; start += size) bytes.subarray(start, start + size).reverse();
}

/**
 * Calls `visit(chunk, first)` with views of consecutive elements of `bytes` (whose length is a
 * multiple of the element size) read as little-endian; `first` is the chunk's first element index.
 * Aligned bytes on a little-endian host are one zero-copy view. `visit` must not call this again.
 */
export function forEachChunk<V>(bytes: Uint8Array, View: TypedViewConstructor<V>, visit: (chunk: V, first: number) => void): void {
  const size = View.BYTES_PER_ELEMENT;
  const count = Math.floor(bytes.length / size);
  if (LITTLE_ENDIAN && bytes.byteOffset % size === 0) {
    visit(new View(bytes.buffer as ArrayBuffer, bytes.byteOffset, count), 0);
    return;
  }
  const perChunk = SCRATCH.byteLength / size;
  for (let first = 0; first < count; first += perChunk) {
    const length = Math.min(perChunk, count - first);
    scratchBytes.set(bytes.subarray(first * size, (first + length) * size));
    if (!LITTLE_ENDIAN) swapBytes(scratchBytes, length * size, size);
    visit(new View(SCRATCH, 0, length), first);
  }
}
