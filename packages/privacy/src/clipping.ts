/** L2 clipping and the adaptive clip-norm update: pure functions on plain arrays. */

export function l2Norm(tensors: readonly Float32Array[]): number {
  let sum = 0;
  for (const tensor of tensors) for (let i = 0; i < tensor.length; i++) sum += tensor[i]! * tensor[i]!;
  return Math.sqrt(sum);
}

/** The factor min(1, C/‖Δ‖) that clips an update of norm `norm` to `clipNorm` (C = ∞ never clips). */
export function clipFactor(norm: number, clipNorm: number): number {
  if (!(clipNorm > 0)) throw new RangeError(`clip norm must be > 0, got ${clipNorm}`);
  return norm <= clipNorm || norm === 0 ? 1 : clipNorm / norm;
}

/** Scales the tensors in place so their joint L2 norm is at most clipNorm; returns the norm before clipping. */
export function clipInPlace(tensors: Float32Array[], clipNorm: number): number {
  const norm = l2Norm(tensors);
  const factor = clipFactor(norm, clipNorm);
  if (factor < 1) for (const tensor of tensors) for (let i = 0; i < tensor.length; i++) tensor[i]! *= factor;
  return norm;
}

export interface AdaptiveClippingState {
  clipNorm: number;
  targetQuantile: number;
  learningRate: number;
}

/**
 * Geometric update of Andrew et al. 2021: C ← C · exp(−η (b̄ − γ)), where b̄ is the (noised) fraction of updates
 * whose norm was at most C and γ the target quantile.
 */
export function nextClipNorm(state: AdaptiveClippingState, unclippedFraction: number): number {
  return state.clipNorm * Math.exp(-state.learningRate * (unclippedFraction - state.targetQuantile));
}
