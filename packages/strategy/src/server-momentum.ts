/**
 * FedAvgM (Hsu et al. 2019, as Flower's server_momentum): v ← β·v + Δ̄, w ← w + η·v, with v = 0 before the first round.
 * Shoal's Δ̄ is the mean of w_client − w_global, already a descent direction, hence the plus sign.
 */

import { checkShapes } from './tensor-measures.js';

export interface MomentumOptions {
  /** η, the server learning rate. */
  learningRate: number;
  /** β, the server momentum. */
  momentum: number;
}

export interface MomentumState {
  velocity: Float32Array[];
}

/** One round's step; returns new weights and a new state and leaves its inputs unchanged. */
export function momentumStep(
  global: readonly Float32Array[],
  update: readonly Float32Array[],
  state: MomentumState | undefined,
  options: MomentumOptions,
): { weights: Float32Array[]; state: MomentumState } {
  const { learningRate, momentum } = options;
  checkShapes(global, update, state?.velocity);
  const weights = global.map((tensor) => new Float32Array(tensor.length));
  const velocity = global.map((tensor) => new Float32Array(tensor.length));
  global.forEach((tensor, t) => {
    const delta = update[t]!;
    const previous = state?.velocity[t];
    const nextVelocity = velocity[t]!;
    const nextWeights = weights[t]!;
    for (let i = 0; i < tensor.length; i++) {
      nextVelocity[i] = (previous === undefined ? 0 : momentum * previous[i]!) + delta[i]!;
      nextWeights[i] = tensor[i]! + learningRate * nextVelocity[i]!;
    }
  });
  return { weights, state: { velocity } };
}
