/**
 * The integer encoding secure aggregation sums: each value, clipped to [−R, R], becomes a stochastically rounded
 * integer in [−L, L] with L = ⌊(2^(b−1) − 1)/n_max⌋, stored mod 2^b, so the sum of up to n_max clients never wraps.
 * Stochastic rounding makes the decoded sum unbiased.
 */
import { ringMask, type RingBits } from './prg.js';

export interface FixedPointSpec {
  ringBits: RingBits;
  /** R: each value is clipped to [−R, R] before encoding. */
  clipRange: number;
  /** n_max: the most clients whose encodings may be summed. */
  maxClients: number;
}

export function levels(spec: FixedPointSpec): number {
  const levelCount = Math.floor((2 ** (spec.ringBits - 1) - 1) / spec.maxClients);
  if (levelCount < 1) throw new RangeError(`${spec.maxClients} clients do not fit a ${spec.ringBits}-bit ring`);
  return levelCount;
}

export function encodeFixedPoint(values: Float32Array, spec: FixedPointSpec, uniform: () => number = Math.random): Uint32Array {
  const scale = levels(spec) / spec.clipRange;
  const mask = ringMask(spec.ringBits);
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.max(-spec.clipRange, Math.min(spec.clipRange, values[i]!));
    const scaled = clipped * scale;
    const floor = Math.floor(scaled);
    const rounded = floor + (uniform() < scaled - floor ? 1 : 0);
    out[i] = rounded & mask;
  }
  return out;
}

/** Interprets a ring sum as signed and scales it back to the float sum of the clients' values. */
export function decodeFixedPointSum(sum: Uint32Array, spec: FixedPointSpec): Float32Array {
  const scale = spec.clipRange / levels(spec);
  const modulus = 2 ** spec.ringBits;
  const half = 2 ** (spec.ringBits - 1);
  const out = new Float32Array(sum.length);
  for (let i = 0; i < sum.length; i++) {
    const unsigned = sum[i]!;
    out[i] = (unsigned >= half ? unsigned - modulus : unsigned) * scale;
  }
  return out;
}

/** a += sign·b mod 2^ringBits, in place. */
export function addInRing(a: Uint32Array, b: Uint32Array, sign: 1 | -1, ringBits: RingBits): void {
  if (a.length !== b.length) throw new RangeError(`length ${b.length} != ${a.length}`);
  const mask = ringMask(ringBits);
  if (sign === 1) for (let i = 0; i < a.length; i++) a[i] = (a[i]! + b[i]!) & mask;
  else for (let i = 0; i < a.length; i++) a[i] = (a[i]! - b[i]!) & mask;
}
