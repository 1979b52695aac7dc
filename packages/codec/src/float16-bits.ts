/** IEEE 754 binary16 ⇄ float32 conversion: round-to-nearest-even encoding and a lookup table for decoding. */

const float = new Float32Array(1);
const floatBits = new Uint32Array(float.buffer);

/** The largest finite float16, 65504; encoders saturate larger magnitudes to it. */
export const FLOAT16_MAX = 65_504;
/** float32 bits of 65520, the halfway point between 65504 and 2^16 where rounding would give Infinity. */
const OVERFLOW_BITS = 0x477f_f000;
/** float32 bits of 2^-14, the smallest normal float16. */
const MIN_NORMAL_BITS = 0x3880_0000;
/** (127 − 15) << 23: moves a float32 exponent to the float16 bias. */
const REBIAS = 0x3800_0000;

/** float16 bits of a finite float32, rounded to nearest even; magnitudes beyond 65504 saturate. */
export function toFloat16Bits(value: number): number {
  float[0] = value;
  const bits = floatBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const magnitude = bits & 0x7fff_ffff;
  if (magnitude >= OVERFLOW_BITS) return sign | 0x7bff;
  if (magnitude >= MIN_NORMAL_BITS) {
    let half = (magnitude - REBIAS) >>> 13;
    const dropped = magnitude & 0x1fff;
    if (dropped > 0x1000 || (dropped === 0x1000 && (half & 1) === 1)) half++;
    return sign | half;
  }
  // Subnormal or zero: count units of 2^-24 (exact, since |value| < 2^-14), rounding half to even.
  const units = Math.abs(float[0]!) * 2 ** 24;
  const floor = Math.floor(units);
  const rest = units - floor;
  return sign | (rest > 0.5 || (rest === 0.5 && (floor & 1) === 1) ? floor + 1 : floor);
}

/** True when the float16 bits are NaN or ±Infinity (all five exponent bits set). */
export function isNonFiniteFloat16(bits: number): boolean {
  return (bits & 0x7c00) === 0x7c00;
}

function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let table: Float32Array | undefined;

/** The float32 value of every float16 bit pattern (256 KiB, built on first use). */
export function float16Table(): Float32Array {
  if (table === undefined) {
    table = new Float32Array(65_536);
    for (let bits = 0; bits < 65_536; bits++) table[bits] = float16Value(bits);
  }
  return table;
}
