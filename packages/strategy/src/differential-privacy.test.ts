import { describe, expect, it } from 'vitest';
import { FedAvg } from './fedavg.js';
import { FederatedStrategy } from './federated-strategy.js';
import { NormBoundStrategy } from './norm-bound.js';
import { DifferentialPrivacyStrategy, type DifferentialPrivacyOptions } from './differential-privacy.js';
import type { FitResultEnvelope, RoundContext } from './strategy.js';
import { envelope as build, seeded } from './testing/envelopes.js';

const fit = { localEpochs: 1, batchSize: 10, learningRate: 0.1 };
const fedAvg = () => new FedAvg({ fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit });
const norm = (tensors: readonly Float32Array[]) => Math.sqrt(tensors.reduce((s, t) => s + t.reduce((a, v) => a + v * v, 0), 0));
const envelope = (clientId: string, numExamples: number, delta: Float32Array[]): FitResultEnvelope => build(clientId, numExamples, delta);

function dp(overrides: Partial<DifferentialPrivacyOptions> = {}): DifferentialPrivacyStrategy {
  return new DifferentialPrivacyStrategy(fedAvg(), {
    mode: 'central',
    noiseMultiplier: 1,
    clipping: { kind: 'fixed', clipNorm: 1 },
    samplingRate: 0.5,
    expectedClientsPerRound: 4,
    minParticipants: 2,
    uniform: seeded(1),
    ...overrides,
  });
}

const context = (global: Float32Array[]): RoundContext => ({ round: 1, globalWeights: global, random: seeded(9) });

function run(strategy: { beginAggregation: DifferentialPrivacyStrategy['beginAggregation'] }, global: Float32Array[], updates: FitResultEnvelope[]) {
  const aggregation = strategy.beginAggregation(context(global));
  updates.forEach((u) => aggregation.add(u));
  return aggregation.finish([]);
}

describe('DifferentialPrivacyStrategy', () => {
  const global = [Float32Array.of(1, 2, 3), Float32Array.of(-1)];
  const updates = () => [
    envelope('a', 10, [Float32Array.of(0.5, -2, 7), Float32Array.of(3)]),
    envelope('b', 30, [Float32Array.of(1, 1, 1), Float32Array.of(-0.25)]),
  ];

  it('leaves the inner strategy result unchanged when z = 0 and C = ∞', () => {
    const wrapped = run(dp({ noiseMultiplier: 0, clipping: { kind: 'fixed', clipNorm: Infinity } }), global, updates());
    const plain = run(fedAvg(), global, updates());
    expect(wrapped.weights).toEqual(plain.weights);
    expect(wrapped.metrics).toEqual(plain.metrics);
  });

  it('bounds each client contribution by the clip norm', () => {
    const outlier = [envelope('evil', 1000, [Float32Array.of(1e6, -1e6, 1e6), Float32Array.of(1e6)])];
    const result = run(dp({ noiseMultiplier: 0, clipping: { kind: 'fixed', clipNorm: 0.5 } }), global, outlier);
    const change = result.weights!.map((t, i) => t.map((v, j) => v - global[i]![j]!));
    expect(norm(change)).toBeLessThanOrEqual(0.5 + 1e-5);
    expect(result.privacy).toMatchObject({ clipNorm: 0.5, noiseStddev: 0, participants: 1 });
  });

  it('divides the clipped sum by the expected number of participants (fixed denominator)', () => {
    const delta = () => [Float32Array.of(0.1, 0.2, 0.2), Float32Array.of(0)];
    const result = run(dp({ normal: () => 0 }), global, [envelope('a', 5, delta()), envelope('b', 500, delta())]);
    // n = 2 participants, m = 4 expected: Δ = (d + d) / 4 = d / 2, whatever the example counts.
    expect(Array.from(result.weights![0]!)).toEqual([1.05, 2.1, 3.1].map(Math.fround));
  });

  it('counts a secure-aggregation sum as all of its participants in client mode', () => {
    // Three clients' uniformly weighted mean arrives as one envelope standing for 3: Δ = 3 · mean / m.
    const mean = [Float32Array.of(0.1, 0.2, 0.2), Float32Array.of(0)];
    const sum = { ...envelope('secure-sum', 700, mean), participants: 3 };
    const result = run(dp({ mode: 'client', noiseMultiplier: 0.5, normal: () => 0 }), global, [sum]);
    expect(Array.from(result.weights![0]!)).toEqual([1.075, 2.15, 3.15].map(Math.fround));
    expect(result.privacy).toMatchObject({ participants: 3, noiseStddev: 0 });
  });

  it('adds Gaussian noise of standard deviation z·C/m to the mean update', () => {
    const size = 200_000;
    const zeros = [new Float32Array(size)];
    const z = 1.5;
    const clip = 0.8;
    const m = 4;
    const strategy = dp({ noiseMultiplier: z, clipping: { kind: 'fixed', clipNorm: clip }, expectedClientsPerRound: m });
    const result = run(strategy, zeros, [envelope('a', 1, [new Float32Array(size)])]);
    const values = result.weights![0]!;
    const mean = values.reduce((a, v) => a + v, 0) / size;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / size);
    expect(Math.abs(std - (z * clip) / m) / ((z * clip) / m)).toBeLessThan(0.01);
    expect(result.privacy?.noiseStddev).toBeCloseTo(z * clip, 12);
  });

  it('samples each available client with probability q (Poisson)', () => {
    const strategy = dp({ samplingRate: 0.3, uniform: seeded(42) });
    const available = Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, numTrainExamples: 5, numEvalExamples: 0 }));
    let total = 0;
    for (let round = 0; round < 200; round++) total += strategy.configureFit(context(global), available)!.clientIds.length;
    expect(total / (200 * 100)).toBeGreaterThan(0.28);
    expect(total / (200 * 100)).toBeLessThan(0.32);
  });

  it('adapts the clip norm towards the target quantile of update norms', () => {
    const strategy = dp({
      noiseMultiplier: 0.5,
      clipping: { kind: 'adaptive', initialClipNorm: 0.1, targetQuantile: 0.5, learningRate: 0.5, clippedCountStddev: 1 },
      expectedClientsPerRound: 20,
      normal: seeded(3),
    });
    const big = () => Array.from({ length: 20 }, (_, k) => envelope(`c${k}`, 1, [Float32Array.of(3, 4)])); // norm 5
    for (let round = 0; round < 30; round++) run(strategy, [Float32Array.of(0, 0)], big());
    expect(strategy.currentClipNorm).toBeGreaterThan(2);
  });

  it('in client mode sends the clip norm and the noise share, and only rescales on the server', () => {
    const strategy = dp({ mode: 'client', noiseMultiplier: 2, minParticipants: 4, normal: () => 100 });
    const plan = strategy.configureFit(context(global), [{ id: 'a', numTrainExamples: 1, numEvalExamples: 0 }, { id: 'b', numTrainExamples: 1, numEvalExamples: 0 }]);
    expect(plan!.config).toMatchObject({ privacy: { clipNorm: 1, noiseStddev: 1 } }); // z·C/√4
    const result = run(strategy, [Float32Array.of(0)], [envelope('a', 9, [Float32Array.of(4)]), envelope('b', 1, [Float32Array.of(0)])]);
    expect(result.weights![0]![0]).toBeCloseTo(1, 6); // (4 + 0) / m=4, unclipped and un-noised by the server
  });

  it('clips the envelope values in place and reports the norm the client sent', () => {
    const big = envelope('big', 1, [Float32Array.of(3, 4, 0), Float32Array.of(0)]);
    const aggregation = dp({ noiseMultiplier: 0 }).beginAggregation(context(global));

    aggregation.add(big);
    const result = aggregation.finish([]);

    expect(Array.from(big.values[0]!)).toEqual([0.6, 0.8, 0].map(Math.fround));
    expect(result.diagnostics).toEqual([expect.objectContaining({ clientId: 'big', updateNorm: 5, clipped: true })]);
  });

  it('carries an adaptive clip norm and the inner state through export and restore', () => {
    const adaptive = { kind: 'adaptive', initialClipNorm: 0.1, targetQuantile: 0.5, learningRate: 0.5, clippedCountStddev: 1 } as const;
    const strategy = dp({ noiseMultiplier: 0.5, clipping: adaptive, normal: () => 0 });
    run(strategy, [Float32Array.of(0, 0)], [envelope('a', 1, [Float32Array.of(3, 4)])]);

    const fresh = dp({ noiseMultiplier: 0.5, clipping: adaptive });
    fresh.restoreState(strategy.exportState()!);

    expect(strategy.exportState()).toEqual({ scalars: { 'privacy.clipNorm': strategy.currentClipNorm }, tensors: {} });
    expect(fresh.currentClipNorm).toBe(strategy.currentClipNorm);
    expect(() => fresh.restoreState({ scalars: { 'privacy.clipNorm': -1 }, tensors: {} })).toThrow(/privacy.clipNorm/);
  });

  it('refuses an inner strategy that would feed un-noised updates into the release', () => {
    const sampling = { fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit };
    const adam = new FederatedStrategy({ ...sampling, name: 'fedadam', optimiser: { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 } });
    const options = { mode: 'central', noiseMultiplier: 1, clipping: { kind: 'fixed', clipNorm: 1 }, samplingRate: 0.5, expectedClientsPerRound: 4, minParticipants: 2 } as const;

    expect(() => new DifferentialPrivacyStrategy(adam, options)).toThrow(/fedadam/);
    expect(() => new DifferentialPrivacyStrategy(new NormBoundStrategy(fedAvg(), { clipNorm: 1, centred: true }), options)).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'VALIDATION_FAILED' }));
    expect(() => new DifferentialPrivacyStrategy(new NormBoundStrategy(fedAvg(), { clipNorm: 1 }), options)).not.toThrow();
  });

  it('refuses settings that cannot be accounted', () => {
    expect(() => dp({ noiseMultiplier: -1 })).toThrow(/noiseMultiplier/);
    expect(() => dp({ samplingRate: 0 })).toThrow(/samplingRate/);
    expect(() => dp({ clipping: { kind: 'fixed', clipNorm: 0 } })).toThrow(/clip norm/);
    expect(() => dp({ clipping: { kind: 'adaptive', initialClipNorm: 1, targetQuantile: 0.5, learningRate: 0.2, clippedCountStddev: 0.1 } })).toThrow(/clippedCountStddev/);
  });
});
