/**
 * What a client puts into the ring for weighted FedAvg: its delta, clipped per coordinate to [−R, R] and scaled by its
 * weight f ∈ (0, 1], followed by f itself on a scale of its own. The coordinator divides Σ f·Δ by Σ f, so it learns
 * the weighted mean without any single weight or delta. Pure functions, shared by clients and the coordinator.
 */
import { decodeFixedPointSum, encodeFixedPoint, type FixedPointSpec } from './fixed-point.js';

/** The weight element's fixed-point range: f ≤ 1. */
const WEIGHT_RANGE = 1;

/** f = min(numExamples, cap) / cap; uniform (1) without a cap. */
export function inputWeight(numExamples: number, weightCap: number | undefined): number {
  if (weightCap === undefined) return 1;
  if (!(weightCap >= 1) || !(numExamples >= 1)) throw new RangeError(`numExamples (${numExamples}) and weightCap (${weightCap}) must be >= 1`);
  return Math.min(numExamples, weightCap) / weightCap;
}

/** [f·clip_R(Δ) ‖ f] as ring elements; `delta` is the flat update (length d), the result has d + 1 elements. */
export function encodeWeightedInput(delta: Float32Array, weight: number, spec: FixedPointSpec, uniform: () => number = Math.random): Uint32Array {
  if (!(weight > 0 && weight <= 1)) throw new RangeError(`weight must be in (0, 1], got ${weight}`);
  const scaled = new Float32Array(delta.length);
  const range = spec.clipRange;
  for (let i = 0; i < delta.length; i++) scaled[i] = Math.max(-range, Math.min(range, delta[i]!)) * weight;
  const out = new Uint32Array(delta.length + 1);
  out.set(encodeFixedPoint(scaled, spec, uniform));
  out.set(encodeFixedPoint(Float32Array.of(weight), { ...spec, clipRange: WEIGHT_RANGE }, uniform), delta.length);
  return out;
}

/** Σ f·Δ (length d) and Σ f from the ring sum of encodeWeightedInput vectors. */
export function decodeWeightedSum(sum: Uint32Array, spec: FixedPointSpec): { weightedSum: Float32Array; totalWeight: number } {
  const d = sum.length - 1;
  if (d < 1) throw new RangeError('a weighted input has at least one value and the weight');
  const weightedSum = decodeFixedPointSum(sum.subarray(0, d), spec);
  const totalWeight = decodeFixedPointSum(sum.subarray(d), { ...spec, clipRange: WEIGHT_RANGE })[0]!;
  return { weightedSum, totalWeight };
}
