/**
 * The step FedAdam, FedYogi and FedAdagrad share (Reddi et al. 2021, Algorithm 2, without bias correction):
 * m ← β1·m + (1 − β1)·Δ̄, v ← rule(v, Δ̄²), w ← w + η·m/(√v + τ), starting from m = 0 and v = τ² as the paper does.
 * Moments are kept in float32 and the weights computed from the stored values, so a restored state continues exactly.
 */
import { checkShapes } from './tensor-measures.js';

export interface AdaptiveOptions {
  /** η, the server learning rate. */
  learningRate: number;
  /** β1, the first-moment decay. */
  beta1: number;
  /** τ, the adaptivity: the floor of the denominator and √ of the initial second moment. */
  tau: number;
}

export interface AdaptiveMoments {
  first: Float32Array[];
  second: Float32Array[];
}

export function initialMoments(shapes: readonly { length: number }[], tau: number): AdaptiveMoments {
  return {
    first: shapes.map((shape) => new Float32Array(shape.length)),
    second: shapes.map((shape) => new Float32Array(shape.length).fill(tau * tau)),
  };
}

/** One round's step with the optimiser's second-moment rule; returns new arrays and leaves its inputs unchanged. */
export function adaptiveStep(
  global: readonly Float32Array[],
  update: readonly Float32Array[],
  moments: AdaptiveMoments | undefined,
  options: AdaptiveOptions,
  secondMoment: (previous: number, squared: number) => number,
): { weights: Float32Array[]; moments: AdaptiveMoments } {
  const { learningRate, beta1, tau } = options;
  const start = moments ?? initialMoments(global, tau);
  checkShapes(global, update, start.first, start.second);
  const next = { first: global.map((t) => new Float32Array(t.length)), second: global.map((t) => new Float32Array(t.length)) };
  const weights = global.map((tensor, t) => {
    const delta = update[t]!;
    const [first, second] = [start.first[t]!, start.second[t]!];
    const [nextFirst, nextSecond] = [next.first[t]!, next.second[t]!];
    const result = new Float32Array(tensor.length);
    for (let i = 0; i < tensor.length; i++) {
      const gradient = delta[i]!;
      nextFirst[i] = beta1 * first[i]! + (1 - beta1) * gradient;
      nextSecond[i] = secondMoment(second[i]!, gradient * gradient);
      result[i] = tensor[i]! + (learningRate * nextFirst[i]!) / (Math.sqrt(nextSecond[i]!) + tau);
    }
    return result;
  });
  return { weights, moments: next };
}
