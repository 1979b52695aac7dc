/** FedAdam (Reddi et al. 2021): v ← β2·v + (1 − β2)·Δ̄², in the paper's form without bias correction (newer Flower corrects). */
import { adaptiveStep, type AdaptiveMoments, type AdaptiveOptions } from './adaptive-moments.js';

export interface AdamOptions extends AdaptiveOptions {
  /** β2, the second-moment decay. */
  beta2: number;
}

export function adamStep(global: readonly Float32Array[], update: readonly Float32Array[], moments: AdaptiveMoments | undefined, options: AdamOptions) {
  const { beta2 } = options;
  return adaptiveStep(global, update, moments, options, (previous, squared) => beta2 * previous + (1 - beta2) * squared);
}
