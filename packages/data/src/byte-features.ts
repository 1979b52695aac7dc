/** Turns byte-valued features (pixels) into the float features of LabeledExamples. */

/** The scale that maps a byte to [0, 1]; used by MNIST and by uint8 dataset files written by Shoal. */
export const UNIT_BYTE_SCALE = 1 / 255;

/** value = byte × scale, rounded once to float32, so every path that reads bytes yields identical floats. */
export function scaleBytes(bytes: Uint8Array, scale: number): Float32Array {
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = bytes[i]! * scale;
  return values;
}

/** Scales only the selected rows, so a shard of a large byte set never materialises the whole set as floats. */
export function scaleByteRows(bytes: Uint8Array, rowLength: number, rows: ArrayLike<number>, scale: number): Float32Array {
  const values = new Float32Array(rows.length * rowLength);
  for (let r = 0; r < rows.length; r++) {
    const source = rows[r]! * rowLength;
    const target = r * rowLength;
    for (let k = 0; k < rowLength; k++) values[target + k] = bytes[source + k]! * scale;
  }
  return values;
}
