/** Test helpers (not exported from the package): envelopes built from plain arrays, seeded randomness, random updates. */
import { l2Norm } from '@shoal/privacy';
import type { FitOutcome, FitResultEnvelope, RoundContext, Strategy } from '../strategy.js';

export function envelope(clientId: string, numExamples: number, values: Float32Array[], options: { loss?: number; accuracy?: number; participants?: number } = {}): FitResultEnvelope {
  const { loss = 1, accuracy, participants } = options;
  return {
    clientId,
    numExamples,
    metrics: accuracy === undefined ? { loss } : { loss, accuracy },
    values,
    l2Norm: l2Norm(values),
    ...(participants === undefined ? {} : { participants }),
  };
}

/** mulberry32: a small, fast, seedable uniform (0, 1) source. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal values by Box–Muller over `random`. */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function randomTensors(random: () => number, lengths: readonly number[], spread = 1, centre = 0): Float32Array[] {
  const normal = gaussian(random);
  return lengths.map((length) => Float32Array.from({ length }, () => centre + spread * normal()));
}

export function context(globalWeights: readonly Float32Array[], round = 1, random: () => number = seeded(round)): RoundContext {
  return { round, globalWeights, random };
}

/** Runs one round of `strategy` over fresh copies of `updates` (wrappers clip the arrays in place). */
export function runRound(strategy: Pick<Strategy, 'beginAggregation'>, globalWeights: readonly Float32Array[], updates: readonly FitResultEnvelope[], round = 1): FitOutcome {
  const aggregation = strategy.beginAggregation(context(globalWeights, round));
  for (const update of updates) aggregation.add({ ...update, values: update.values.map((tensor) => Float32Array.from(tensor)) });
  return aggregation.finish([]);
}
