import { describe, expect, it } from 'vitest';
import type { AggregationRule } from './aggregation-rule.js';
import { FederatedStrategy, type FederatedStrategyOptions } from './federated-strategy.js';
import type { ServerOptimiserOptions } from './server-optimiser.js';
import { l2Distance } from './tensor-measures.js';
import { context, envelope, randomTensors, runRound, seeded } from './testing/envelopes.js';
import { weightedAverage } from './weighted-mean.js';

const fit = { localEpochs: 1, batchSize: 10, learningRate: 0.1 };
const strategy = (overrides: Partial<FederatedStrategyOptions> = {}) =>
  new FederatedStrategy({ name: 'test', fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit, ...overrides });
const robust = (aggregation: AggregationRule) => strategy({ aggregation });
const clients = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `c${i}`, numTrainExamples: 10, numEvalExamples: 0 }));
const one = (id: string, examples: number, ...values: number[]) => envelope(id, examples, [Float32Array.from(values)]);

describe('FederatedStrategy sampling', () => {
  it('caps the sample at maxFitClients and sends FedProx’s μ', () => {
    const capped = strategy({ fractionFit: 0.5, minFitClients: 2, maxFitClients: 3, proximalMu: 0.01 });

    const plan = capped.configureFit(context([]), clients(20));

    expect(plan!.clientIds).toHaveLength(3);
    expect(plan!.config).toEqual({ ...fit, proximalMu: 0.01 });
    expect(strategy().configureFit(context([]), clients(2))!.config).toEqual(fit);
  });

  it('refuses a cap below the minimum', () => {
    expect(() => strategy({ minFitClients: 3, maxFitClients: 2 })).toThrow(/maxFitClients/);
  });
});

describe('FederatedStrategy robust rules', () => {
  const global = [Float32Array.of(10)];
  const honestAndAttacker = () => [one('a', 1, 1), one('b', 1, 2), one('c', 1, 3), one('d', 1, 4), one('evil', 1000, 100)];

  it('applies the median whatever the example counts, with exact distances', () => {
    const outcome = runRound(robust({ kind: 'median' }), global, honestAndAttacker());

    expect(Array.from(outcome.weights![0]!)).toEqual([13]); // 10 + median{1, 2, 3, 4, 100}
    expect(outcome.diagnostics!.map((d) => d.distanceToAggregate)).toEqual([2, 1, 0, 1, 97]);
    expect(outcome.diagnostics!.map((d) => d.weight)).toEqual([1, 1, 1, 1, 1000]);
    expect(outcome.metrics.examples).toBe(1004);
  });

  it('gives Krum’s excluded updates weight 0', () => {
    const outcome = runRound(robust({ kind: 'multi-krum', byzantineClients: 1, keepClients: 2 }), global, honestAndAttacker());

    // scores: 1+4, 1+1, 1+1, 1+4, 96²+97² → keeps b and c, mean 2.5.
    expect(Array.from(outcome.weights![0]!)).toEqual([12.5]);
    expect(outcome.diagnostics!.map((d) => d.weight)).toEqual([0, 1, 1, 0, 0]);
  });

  it('keeps the model when Krum has too few updates for f', () => {
    const outcome = runRound(robust({ kind: 'krum', byzantineClients: 2 }), global, honestAndAttacker());

    expect(outcome.weights).toBeUndefined();
    expect(outcome.diagnostics!.every((d) => d.weight === 0)).toBe(true);
  });

  it('copies each update, since the coordinator reuses the envelope’s arrays', () => {
    const aggregation = robust({ kind: 'median' }).beginAggregation(context(global));
    const reused = Float32Array.of(1);
    for (const value of [1, 2, 3]) {
      reused[0] = value;
      aggregation.add(envelope(`c${value}`, 1, [reused]));
    }
    reused[0] = 1000;

    expect(Array.from(aggregation.finish([]).weights![0]!)).toEqual([12]);
  });

  it('refuses a secure-aggregation sum', () => {
    const aggregation = robust({ kind: 'median' }).beginAggregation(context(global));
    expect(() => aggregation.add(envelope('sum', 30, [Float32Array.of(1)], { participants: 3 }))).toThrow(/each client/);
  });

  it('holds every update and says how much', () => {
    expect(robust({ kind: 'trimmed-mean', trimFraction: 0.2 }).holdsEveryUpdate).toBe(true);
    expect(robust({ kind: 'median' }).heldBytesPerUpdate(1_663_370)).toBe(6_653_480);
    expect(strategy().holdsEveryUpdate).toBe(false);
    expect(strategy().heldBytesPerUpdate(1_663_370)).toBe(8192); // one 2048-float sketch
  });
});

describe('FederatedStrategy streaming mean', () => {
  it('estimates distances to the weighted mean from sketches', () => {
    const random = seeded(6);
    const updates = Array.from({ length: 6 }, (_, k) => envelope(`c${k}`, 5 + k, randomTensors(random, [120_000, 80_000], 0.01 * (k + 1))));
    const exactMean = weightedAverage(updates.map((u) => ({ weight: u.numExamples, tensors: u.values })));

    const outcome = runRound(strategy(), [new Float32Array(120_000), new Float32Array(80_000)], updates);

    outcome.diagnostics!.forEach((d, k) => {
      const exact = l2Distance(updates[k]!.values, exactMean);
      expect(Math.abs(d.distanceToAggregate! - exact) / exact).toBeLessThan(0.1);
      expect(d.weight).toBe(5 + k);
    });
  });

  it('reports no per-client diagnostics for a secure-aggregation sum', () => {
    const outcome = runRound(strategy(), [Float32Array.of(0)], [envelope('sum', 30, [Float32Array.of(1)], { participants: 3 })]);

    expect(outcome.weights![0]![0]).toBe(1);
    expect(outcome.diagnostics).toBeUndefined();
  });

  it('releases no weights when the aggregate overflows, and keeps the optimiser state', () => {
    const momentum = strategy({ optimiser: { kind: 'momentum', learningRate: 1, momentum: 0.9 } });
    runRound(momentum, [Float32Array.of(0)], [one('a', 1, 1)]);
    const before = momentum.exportState();

    const outcome = runRound(momentum, [Float32Array.of(1)], [one('a', 10, 3e38), one('b', 10, 3e38)], 2);

    expect(outcome.weights).toBeUndefined();
    expect(outcome.diagnostics!.every((d) => d.distanceToAggregate === undefined)).toBe(true);
    expect(momentum.exportState()).toEqual(before);
  });

  it('releases no weights when the server step overflows', () => {
    const outcome = runRound(strategy({ optimiser: { kind: 'sgd', learningRate: 100 } }), [Float32Array.of(0)], [one('a', 1, 3e37)]);
    expect(outcome.weights).toBeUndefined();
  });
});

describe('FederatedStrategy state', () => {
  const optimisers: ServerOptimiserOptions[] = [
    { kind: 'sgd', learningRate: 1 },
    { kind: 'momentum', learningRate: 1, momentum: 0.9 },
    { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
    { kind: 'yogi', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
    { kind: 'adagrad', learningRate: 0.01, beta1: 0, tau: 1e-3 },
  ];
  const random = seeded(12);
  const rounds = Array.from({ length: 4 }, () => Array.from({ length: 4 }, (_, k) => envelope(`c${k}`, 3 + k, randomTensors(random, [40, 7], 0.1))));

  for (const optimiser of optimisers) {
    it(`continues exactly after export and restore (${optimiser.kind})`, () => {
      const uninterrupted = strategy({ optimiser });
      const interrupted = strategy({ optimiser });
      let weights: Float32Array[] = [new Float32Array(40), new Float32Array(7)];
      let resumedWeights = weights;

      rounds.forEach((updates, r) => (weights = runRound(uninterrupted, weights, updates, r + 1).weights!));
      rounds.slice(0, 3).forEach((updates, r) => (resumedWeights = runRound(interrupted, resumedWeights, updates, r + 1).weights!));
      const state = interrupted.exportState();
      const fresh = strategy({ optimiser });
      if (state !== undefined) fresh.restoreState(state);
      resumedWeights = runRound(fresh, resumedWeights, rounds[3]!, 4).weights!;

      expect(resumedWeights).toEqual(weights);
      expect(state === undefined).toBe(optimiser.kind === 'sgd');
    });
  }

  it('refuses state of another optimiser or another model', () => {
    const adam = strategy({ optimiser: optimisers[2]! });
    runRound(adam, [Float32Array.of(0, 0)], [one('a', 1, 1, 2)]);
    const state = adam.exportState()!;

    expect(() => strategy({ optimiser: optimisers[1]! }).restoreState(state)).toThrow(/no state optimiser.first/);
    expect(() => strategy().restoreState({ scalars: { 'normBound.clipNorm': 1 }, tensors: {} })).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'VALIDATION_FAILED' }));
    const other = strategy({ optimiser: optimisers[2]! });
    other.restoreState(state);
    expect(() => runRound(other, [Float32Array.of(0, 0, 0)], [one('a', 1, 1, 2, 3)])).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'SHAPE_MISMATCH' }));
  });
});
