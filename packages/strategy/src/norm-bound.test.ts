import { describe, expect, it } from 'vitest';
import { FedAvg } from './fedavg.js';
import { FederatedStrategy } from './federated-strategy.js';
import { NormBoundStrategy, type NormBoundOptions } from './norm-bound.js';
import { context, envelope, randomTensors, runRound, seeded } from './testing/envelopes.js';

const fit = { localEpochs: 1, batchSize: 10, learningRate: 0.1 };
const fedAvg = () => new FedAvg({ fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit });
const bound = (options: Partial<NormBoundOptions> = {}) => new NormBoundStrategy(fedAvg(), { clipNorm: 1, ...options });
const rounded = (tensors: readonly Float32Array[] | undefined) => tensors!.map((tensor) => Array.from(tensor, (v) => Number(v.toFixed(6))));

describe('NormBoundStrategy', () => {
  it('clips each update to C in place before the inner mean, and reports what it clipped', () => {
    const strategy = bound();
    const big = envelope('big', 1, [Float32Array.of(3, 4)]);
    const small = envelope('small', 1, [Float32Array.of(0.3, 0.4)]);

    const aggregation = strategy.beginAggregation(context([Float32Array.of(0, 0)]));
    aggregation.add(big);
    aggregation.add(small);
    const outcome = aggregation.finish([]);

    expect(rounded(big.values)).toEqual([[0.6, 0.8]]); // the envelope's own arrays, scaled by C/‖Δ‖ = 1/5
    expect(rounded(outcome.weights)).toEqual([[0.45, 0.6]]);
    expect(outcome.metrics).toMatchObject({ clippedUpdates: 1, strategyClipNorm: 1, examples: 2 });
    expect(outcome.diagnostics!.map((d) => d.clipped)).toEqual([true, false]);
    expect(outcome.diagnostics![0]!.updateNorm).toBeCloseTo(5, 6); // the norm the client sent, not the clipped one
    expect(outcome.diagnostics![1]!.updateNorm).toBeCloseTo(0.5, 6);
  });

  it('moves an adaptive C by exp(−η(unclipped fraction − target)) after each released round', () => {
    const strategy = bound({ adaptive: { targetQuantile: 0.5, learningRate: 0.2 } });
    const norms = [5, 5, 5, 0.5];
    const updates = () => norms.map((n, k) => envelope(`c${k}`, 1, [Float32Array.of(n)]));

    const first = runRound(strategy, [Float32Array.of(0)], updates());
    const second = runRound(strategy, first.weights!, updates(), 2);

    // Round 1: 1 of 4 unclipped, C = 1·exp(−0.2·(0.25 − 0.5)) = exp(0.05).
    expect(first.metrics.strategyClipNorm).toBe(1);
    expect(second.metrics.strategyClipNorm).toBeCloseTo(1.0512711, 7);
  });

  it('finds the target quantile of the norms over rounds', () => {
    const strategy = bound({ clipNorm: 0.1, adaptive: { targetQuantile: 0.5, learningRate: 0.5 } });
    const random = seeded(8);

    for (let round = 1; round <= 40; round++) {
      runRound(strategy, [Float32Array.of(0)], Array.from({ length: 21 }, (_, k) => envelope(`c${k}`, 1, [Float32Array.of(1 + k / 10 + random() * 1e-3)])), round);
    }

    expect(strategy.currentClipNorm).toBeGreaterThan(1.8); // the median norm is 2
    expect(strategy.currentClipNorm).toBeLessThan(2.2);
  });

  it('clips around the previous aggregate when centred: Δ′ = v + clip(Δ − v)', () => {
    const strategy = bound({ centred: true });

    const first = runRound(strategy, [Float32Array.of(0, 0)], [envelope('a', 1, [Float32Array.of(3, 4)]), envelope('b', 1, [Float32Array.of(0, 0.5)])]);
    const second = runRound(strategy, first.weights!, [envelope('a', 1, [Float32Array.of(3.3, 4.65)]), envelope('b', 1, [Float32Array.of(0.3, 0.65)])], 2);

    // Round 1, v = 0: [0.6, 0.8] and [0, 0.5] → v = [0.3, 0.65].
    expect(rounded(first.weights)).toEqual([[0.3, 0.65]]);
    // Round 2: a − v = [3, 4] → clipped [0.6, 0.8] → [0.9, 1.45]; b − v = 0 stays; mean [0.6, 1.05].
    expect(rounded(second.weights)).toEqual([[0.9, 1.7]]);
    expect(second.diagnostics!.map((d) => d.clipped)).toEqual([true, false]);
  });

  it('on the client side, sends C in the FitConfig and leaves the updates alone', () => {
    const strategy = bound({ clientSide: true, clipNorm: 2 });
    const plan = strategy.configureFit(context([Float32Array.of(0)]), [{ id: 'a', numTrainExamples: 1, numEvalExamples: 0 }]);

    const outcome = runRound(strategy, [Float32Array.of(0)], [envelope('a', 1, [Float32Array.of(5)])]);

    expect(plan!.config).toMatchObject({ updateClipNorm: 2 });
    expect(outcome.weights![0]![0]).toBe(5);
    expect(outcome.metrics.strategyClipNorm).toBe(2);
    expect(outcome.metrics.clippedUpdates).toBeUndefined();
  });

  it('continues exactly after export and restore (adaptive, centred, around FedAdam)', () => {
    const make = () =>
      new NormBoundStrategy(
        new FederatedStrategy({ name: 'fedadam', fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit, optimiser: { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 } }),
        { clipNorm: 0.5, adaptive: { targetQuantile: 0.5, learningRate: 0.2 }, centred: true },
      );
    const random = seeded(3);
    const rounds = Array.from({ length: 3 }, () => Array.from({ length: 5 }, (_, k) => envelope(`c${k}`, 10 + k, randomTensors(random, [50, 3], 0.2 * (k + 1)))));
    const uninterrupted = make();
    const restarted = make();
    let weights: Float32Array[] = [new Float32Array(50), new Float32Array(3)];
    let restartedWeights = weights;

    rounds.forEach((updates, r) => (weights = runRound(uninterrupted, weights, updates, r + 1).weights!));
    rounds.slice(0, 2).forEach((updates, r) => (restartedWeights = runRound(restarted, restartedWeights, updates, r + 1).weights!));
    const fresh = make();
    fresh.restoreState(restarted.exportState()!);
    const resumed = runRound(fresh, restartedWeights, rounds[2]!, 3).weights!;

    expect(resumed).toEqual(weights);
    expect(fresh.currentClipNorm).toBe(uninterrupted.currentClipNorm);
    expect(Object.keys(uninterrupted.exportState()!.tensors).sort()).toEqual(['normBound.centre', 'optimiser.first', 'optimiser.second']);
  });

  it('refuses settings it cannot apply and state it does not own', () => {
    expect(() => bound({ clipNorm: 0 })).toThrow(/clipNorm/);
    expect(() => bound({ clientSide: true, adaptive: { targetQuantile: 0.5, learningRate: 0.2 } })).toThrow(/clientSide/);
    expect(() => bound({ clientSide: true, centred: true })).toThrow(/clientSide/);
    expect(() => bound().restoreState({ scalars: { 'normBound.other': 1 }, tensors: {} })).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'VALIDATION_FAILED' }));
    expect(() => bound().restoreState({ scalars: { 'optimiser.steps': 1 }, tensors: {} })).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'VALIDATION_FAILED' }));
  });
});
