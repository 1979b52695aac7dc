import { describe, expect, it } from 'vitest';
import { FedAvg } from './fedavg.js';
import { addScaled, weightedAverage, applyDelta } from './weighted-mean.js';
import { sampleWithoutReplacement } from './sampling.js';
import { envelope as build } from './testing/envelopes.js';

const envelope = (clientId: string, numExamples: number, delta: Float32Array[], loss = 1) => build(clientId, numExamples, delta, { loss });

const fit = { localEpochs: 1, batchSize: 10, learningRate: 0.1 };

describe('weightedAverage', () => {
  it('weights each update by its example count', () => {
    const result = weightedAverage([
      { weight: 1, tensors: [Float32Array.of(0, 10)] },
      { weight: 3, tensors: [Float32Array.of(4, 2)] },
    ]);
    expect(Array.from(result[0]!)).toEqual([3, 4]);
  });

  it('refuses an empty list and zero total weight', () => {
    expect(() => weightedAverage([])).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'VALIDATION_FAILED' }));
    expect(() => weightedAverage([{ weight: 0, tensors: [Float32Array.of(1)] }])).toThrow(/zero/);
  });
});

describe('FedAvg', () => {
  const strategy = new FedAvg({ fractionFit: 0.5, minFitClients: 2, fractionEvaluate: 0, minEvaluateClients: 0, fit });
  const global = [Float32Array.of(1, 1), Float32Array.of(0)];

  it('applies the example-weighted mean delta to the global model', () => {
    const aggregation = strategy.beginAggregation({ round: 1, globalWeights: global, random: Math.random });
    aggregation.add(envelope('a', 100, [Float32Array.of(1, 0), Float32Array.of(2)], 2));
    aggregation.add(envelope('b', 300, [Float32Array.of(-1, 4), Float32Array.of(2)], 1));
    const outcome = aggregation.finish([]);

    expect(Array.from(outcome.weights![0]!)).toEqual([0.5, 4]);
    expect(Array.from(outcome.weights![1]!)).toEqual([2]);
    expect(outcome.metrics.examples).toBe(400);
    expect(outcome.metrics.trainLoss).toBeCloseTo(1.25);
    expect(Array.from(global[0]!)).toEqual([1, 1]);
  });

  it('matches the pure weightedAverage + applyDelta', () => {
    const deltas = [[Float32Array.of(0.3, -2)], [Float32Array.of(1.5, 7)], [Float32Array.of(-4, 0.25)]];
    const counts = [10, 25, 5];
    const aggregation = strategy.beginAggregation({ round: 1, globalWeights: [Float32Array.of(1, 2)], random: Math.random });
    deltas.forEach((delta, k) => aggregation.add(envelope(`c${k}`, counts[k]!, delta)));
    const streamed = aggregation.finish([]).weights![0]!;
    const expected = applyDelta([Float32Array.of(1, 2)], weightedAverage(deltas.map((tensors, k) => ({ weight: counts[k]!, tensors }))))[0]!;
    expect(Array.from(streamed).map((v) => v.toFixed(5))).toEqual(Array.from(expected).map((v) => v.toFixed(5)));
  });

  it('keeps its running sum where the round context says, and only there', () => {
    const allocated: Float32Array[][] = [];
    const added: number[] = [];
    const kernels = {
      allocate(lengths: readonly number[]) {
        const sums = lengths.map((length) => new Float32Array(length));
        allocated.push(sums);
        return sums;
      },
      addScaled(sum: readonly Float32Array[], values: readonly Float32Array[], weight: number) {
        added.push(weight);
        addScaled(sum, values, weight);
      },
    };
    const aggregation = strategy.beginAggregation({ round: 1, globalWeights: global, random: Math.random, kernels });

    aggregation.add(envelope('a', 2, [Float32Array.of(1, 3), Float32Array.of(4)]));

    expect(allocated).toHaveLength(1);
    expect(added).toEqual([2]);
    expect(allocated[0]!.map((sum) => Array.from(sum))).toEqual([[2, 6], [8]]);
    expect(Array.from(aggregation.finish([]).weights![0]!)).toEqual([2, 4]);
  });

  it('returns no new model when nothing arrived', () => {
    const aggregation = strategy.beginAggregation({ round: 1, globalWeights: global, random: Math.random });
    expect(aggregation.finish([{ clientId: 'a', code: 'LATE_UPDATE', message: 'late' }]).weights).toBeUndefined();
  });

  it('samples max(min, ceil(fraction * available)) clients and waits when too few', () => {
    const available = Array.from({ length: 9 }, (_, i) => ({ id: `c${i}`, numTrainExamples: 10, numEvalExamples: 0 }));
    const plan = strategy.configureFit({ round: 1, globalWeights: global, random: Math.random }, available);
    expect(plan!.clientIds).toHaveLength(5);
    expect(new Set(plan!.clientIds).size).toBe(5);
    expect(strategy.configureFit({ round: 1, globalWeights: global, random: Math.random }, available.slice(0, 1))).toBeUndefined();
  });

  it('aggregates federated evaluation weighted by examples', () => {
    const outcome = strategy.aggregateEvaluate(
      [
        { clientId: 'a', numExamples: 1, loss: 1, accuracy: 0 },
        { clientId: 'b', numExamples: 3, loss: 3, accuracy: 1 },
      ],
      [],
    );
    expect(outcome).toEqual({ loss: 2.5, accuracy: 0.75, numExamples: 4 });
  });
});

describe('sampleWithoutReplacement', () => {
  it('is reproducible for the same random source', () => {
    const seeded = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect(sampleWithoutReplacement(items, 10, seeded(7))).toEqual(sampleWithoutReplacement(items, 10, seeded(7)));
  });
});
