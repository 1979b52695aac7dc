/** Stepping between adjacent float32 values, which the int8 codec needs to pick a scale that never clips. */

const float = new Float32Array(1);
const bits = new Uint32Array(float.buffer);

/** The smallest float32 strictly greater than a finite, non-negative float32 `value`. */
export function nextFloat32Up(value: number): number {
  float[0] = value;
  if (value === 0) return 2 ** -149;
  bits[0]! += 1;
  return float[0]!;
}

/** The largest float32 strictly smaller than a finite, positive float32 `value`. */
export function nextFloat32Down(value: number): number {
  float[0] = value;
  bits[0]! -= 1;
  return float[0]!;
}
