/**
 * Count sketch (Charikar et al. 2002) of an update, so a streaming aggregation can estimate each update's distance to
 * the round's mean without keeping the update: S is linear, so S(Δ_i) − mean(S(Δ)) = S(Δ_i − Δ̄), and ‖S x‖₂
 * estimates ‖x‖₂ with relative error about 1/√(2k) for k buckets. Coordinate j goes to bucket h(j) with sign s(j).
 *
 * Models with more than `maxCoordinates` parameters (2^16 by default) are sketched on a random 1/r of their
 * coordinates (r a power of two), each scaled by √r, so that the per-update cost stays about 0.25 ms: the estimate of
 * ‖x‖² stays unbiased and, for dense updates, the sampling adds about √(2/2^16) ≈ 0.6 % of error, below the buckets'
 * own. The hash is seeded per sketch (per round), so a client cannot know which coordinates are looked at.
 */
import { ShoalError } from '@shoal/protocol';

/** 2048 buckets: about 1% typical and 3–4% worst-case error on the distance, 8 KiB per update. */
export const DEFAULT_SKETCH_BUCKETS = 2048;
/** At most this many coordinates are sketched per update. */
export const DEFAULT_SKETCH_COORDINATES = 1 << 16;

export interface CountSketchOptions {
  /** Seeds the hash; default: Math.random. */
  seed?: number;
  maxCoordinates?: number;
}

/**
 * Murmur3's finaliser of j ⊕ seed (a Fibonacci hash alone leaves a lattice: coordinates a Fibonacci number apart would
 * share bucket and sign, which biases the estimate for smooth tensors). Bits: bucket at the top, sign at bit 0, the
 * sampling decision in bits 1…log2(r).
 */
function mix(j: number, seed: number): number {
  let h = Math.imul(j ^ seed, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Which coordinates of an n-vector are sketched, tensor by tensor. */
interface SketchPlan {
  /** Tensor lengths the plan was made for. */
  lengths: readonly number[];
  /** Pairs (index within its tensor, bucket·2 + (1 if the sign is −)), interleaved so the loop streams one array. */
  pairs: Int32Array;
  /** ends[t]: one past the last pair of tensor t, in pairs. */
  ends: Int32Array;
  /** √r, applied to every sampled value. */
  scale: number;
}

export class CountSketch {
  private readonly scratch: Float64Array;
  private readonly shift: number;
  /** The hash seed: another process sketching with the same seed and buckets samples the same coordinates. */
  readonly seed: number;
  private readonly maxCoordinates: number;
  private plan: SketchPlan | undefined;

  constructor(readonly buckets: number = DEFAULT_SKETCH_BUCKETS, options: CountSketchOptions = {}) {
    if (!(Number.isInteger(Math.log2(buckets)) && buckets >= 2 && buckets <= 65_536)) throw new ShoalError('VALIDATION_FAILED', `sketch buckets must be a power of two in [2, 65536], got ${buckets}`);
    this.scratch = new Float64Array(buckets);
    this.shift = 32 - Math.log2(buckets);
    this.seed = (options.seed ?? Math.floor(Math.random() * 2 ** 32)) | 0;
    this.maxCoordinates = options.maxCoordinates ?? DEFAULT_SKETCH_COORDINATES;
  }

  /** S(Δ) over the tensors as one vector (coordinates numbered across tensors), as a new k-float array. */
  sketch(values: readonly Float32Array[]): Float32Array {
    const scratch = this.scratch;
    scratch.fill(0);
    const { pairs, ends, scale } = this.planFor(values);
    // Per-tensor bounds and in-tensor indices are precomputed, so the loop is a bare gather and scatter.
    let p = 0;
    for (let t = 0; t < values.length; t++) {
      const tensor = values[t]!;
      const end = 2 * ends[t]!;
      for (; p < end; p += 2) {
        const c = pairs[p + 1]!;
        // Branch-free sign: a data-dependent branch here mispredicts half the time and costs 4× the whole loop.
        scratch[c >>> 1]! += tensor[pairs[p]!]! * (1 - 2 * (c & 1));
      }
    }
    if (scale !== 1) for (let b = 0; b < scratch.length; b++) scratch[b]! *= scale;
    return Float32Array.from(scratch);
  }

  private planFor(values: readonly Float32Array[]): SketchPlan {
    const plan = this.plan;
    if (plan !== undefined && plan.lengths.length === values.length && values.every((tensor, t) => tensor.length === plan.lengths[t])) return plan;
    const lengths = values.map((tensor) => tensor.length);
    const coordinates = lengths.reduce((total, length) => total + length, 0);
    let rate = 1;
    while (coordinates / rate > this.maxCoordinates && rate < 1 << 15) rate *= 2;
    const mask = (rate - 1) << 1;
    const pairs: number[] = [];
    const ends: number[] = [];
    let j = 0;
    for (const length of lengths) {
      for (let i = 0; i < length; i++, j++) {
        const h = mix(j, this.seed);
        if ((h & mask) !== 0) continue;
        pairs.push(i, ((h >>> this.shift) << 1) | (h & 1));
      }
      ends.push(pairs.length / 2);
    }
    this.plan = { lengths, pairs: Int32Array.from(pairs), ends: Int32Array.from(ends), scale: Math.sqrt(rate) };
    return this.plan;
  }
}

/** Σ w_i S_i / Σ w_i in float64: the sketch of the weighted mean update. */
export function meanSketch(sketches: readonly { weight: number; sketch: Float32Array }[], buckets: number): Float64Array {
  const mean = new Float64Array(buckets);
  let totalWeight = 0;
  for (const { weight, sketch } of sketches) {
    for (let b = 0; b < buckets; b++) mean[b]! += weight * sketch[b]!;
    totalWeight += weight;
  }
  if (totalWeight > 0) for (let b = 0; b < buckets; b++) mean[b]! /= totalWeight;
  return mean;
}

/** ‖S_i − S̄‖₂, the estimate of ‖Δ_i − Δ̄‖₂. */
export function sketchDistance(sketch: Float32Array, mean: Float64Array): number {
  let sum = 0;
  for (let b = 0; b < mean.length; b++) {
    const difference = sketch[b]! - mean[b]!;
    sum += difference * difference;
  }
  return Math.sqrt(sum);
}
