/**
 * FedYogi (Reddi et al. 2021, after Zaheer et al. 2018): v ← v − (1 − β2)·Δ̄²·sign(v − Δ̄²), so v moves additively
 * towards Δ̄² instead of decaying multiplicatively as in Adam.
 */
import { adaptiveStep, type AdaptiveMoments } from './adaptive-moments.js';
import type { AdamOptions } from './fed-adam.js';

export function yogiStep(global: readonly Float32Array[], update: readonly Float32Array[], moments: AdaptiveMoments | undefined, options: AdamOptions) {
  const { beta2 } = options;
  return adaptiveStep(global, update, moments, options, (previous, squared) => previous - (1 - beta2) * squared * Math.sign(previous - squared));
}
