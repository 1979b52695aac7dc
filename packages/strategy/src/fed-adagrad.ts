/**
 * FedAdagrad (Reddi et al. 2021): v ← v + Δ̄². Reddi's form keeps a first moment with β1; with β1 = 0 (Shoal's default)
 * m = Δ̄, which is Flower's FedAdagrad.
 */
import { adaptiveStep, type AdaptiveMoments, type AdaptiveOptions } from './adaptive-moments.js';

export function adagradStep(global: readonly Float32Array[], update: readonly Float32Array[], moments: AdaptiveMoments | undefined, options: AdaptiveOptions) {
  return adaptiveStep(global, update, moments, options, (previous, squared) => previous + squared);
}
