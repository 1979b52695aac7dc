/**
 * Count sketch (Charikar et al. 2002) of an update, so a streaming aggregation can estimate each update's distance to
 * the round's mean without keeping the update: S is linear, so S(Δ_i) − mean(S(Δ)) = S(Δ_i − Δ̄), and ‖S x‖₂
 * estimates ‖x‖₂ with relative error about 1/√(2k) for k buckets. Coordinate j goes to bucket h(j) with sign s(j),
 * both from an integer hash of j computed on the fly (no per-coordinate tables).
 */

/** 2048 buckets: about 1% typical and 3–4% worst-case error on the distance, 8 KiB per update. */
export const DEFAULT_SKETCH_BUCKETS = 2048;

export class CountSketch {
  private readonly scratch: Float64Array;
  private readonly shift: number;

  constructor(readonly buckets: number = DEFAULT_SKETCH_BUCKETS) {
    if (!(Number.isInteger(Math.log2(buckets)) && buckets >= 2 && buckets <= 65_536)) throw new RangeError(`sketch buckets must be a power of two in [2, 65536], got ${buckets}`);
    this.scratch = new Float64Array(buckets);
    this.shift = 32 - Math.log2(buckets);
  }

  /** S(Δ) over the tensors as one vector (coordinates numbered across tensors), as a new k-float array. */
  sketch(values: readonly Float32Array[]): Float32Array {
    const scratch = this.scratch;
    const shift = this.shift;
    scratch.fill(0);
    let offset = 0;
    for (const tensor of values) {
      for (let i = 0; i < tensor.length; i++) {
        // Fibonacci hashing alone leaves a lattice (coordinates a Fibonacci number apart share bucket and sign), which
        // biases the estimate for smooth tensors; murmur3's finaliser breaks it for a few more integer operations.
        let h = Math.imul(offset + i, 0x9e3779b1);
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        // Branch-free sign: a data-dependent branch here mispredicts half the time and costs 4× the whole loop.
        scratch[h >>> shift]! += tensor[i]! * (1 - 2 * (h & 1));
      }
      offset += tensor.length;
    }
    return Float32Array.from(scratch);
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
