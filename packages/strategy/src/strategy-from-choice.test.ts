import { describe, expect, it } from 'vitest';
import type { StrategyChoice } from '@shoal/protocol';
import { NormBoundStrategy } from './norm-bound.js';
import { createStrategyFromChoice, federatedOptionsFromChoice, type CommonStrategyOptions } from './strategy-from-choice.js';
import { context, envelope, runRound } from './testing/envelopes.js';

const common: CommonStrategyOptions = { fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit: { localEpochs: 1, batchSize: 10, learningRate: 0.1 } };
const settings = (choice: StrategyChoice) => {
  const { aggregation, optimiser, proximalMu } = federatedOptionsFromChoice(choice, common);
  return { aggregation, optimiser, proximalMu };
};

describe('federatedOptionsFromChoice', () => {
  it('fills the schema defaults for each named strategy', () => {
    const mean = { kind: 'mean' };
    const sgd = { kind: 'sgd', learningRate: 1 };
    expect(settings({ name: 'fedavg' })).toEqual({ aggregation: mean, optimiser: sgd });
    expect(settings({ name: 'fedavgm' })).toEqual({ aggregation: mean, optimiser: { kind: 'momentum', learningRate: 1, momentum: 0.9 } });
    expect(settings({ name: 'fedprox' })).toEqual({ aggregation: mean, optimiser: sgd, proximalMu: 0.01 });
    expect(settings({ name: 'fedadam' })).toEqual({ aggregation: mean, optimiser: { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 } });
    expect(settings({ name: 'fedyogi' }).optimiser).toEqual({ kind: 'yogi', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
    expect(settings({ name: 'fedadagrad' }).optimiser).toEqual({ kind: 'adagrad', learningRate: 0.01, beta1: 0, tau: 1e-3 });
    expect(settings({ name: 'fedmedian' })).toEqual({ aggregation: { kind: 'median' }, optimiser: sgd });
    expect(settings({ name: 'fedtrimmedavg' }).aggregation).toEqual({ kind: 'trimmed-mean', trimFraction: 0.2 });
    expect(settings({ name: 'krum' }).aggregation).toEqual({ kind: 'krum', byzantineClients: undefined });
    expect(settings({ name: 'multikrum', byzantineClients: 1, keepClients: 3 }).aggregation).toEqual({ kind: 'multi-krum', byzantineClients: 1, keepClients: 3 });
  });

  it('takes the fields the choice sets', () => {
    expect(settings({ name: 'fedavgm', serverLearningRate: 0.5, serverMomentum: 0.7 }).optimiser).toEqual({ kind: 'momentum', learningRate: 0.5, momentum: 0.7 });
    expect(settings({ name: 'fedadam', serverLearningRate: 0.1, beta1: 0.5, beta2: 0.9, tau: 0.01 }).optimiser).toEqual({ kind: 'adam', learningRate: 0.1, beta1: 0.5, beta2: 0.9, tau: 0.01 });
    expect(settings({ name: 'fedprox', proximalMu: 0.5 }).proximalMu).toBe(0.5);
  });
});

describe('createStrategyFromChoice', () => {
  it('names the strategy as Flower does and says whether it holds every update', () => {
    const median = createStrategyFromChoice({ name: 'fedmedian' }, common);

    expect(median.name).toBe('fedmedian');
    expect(median.holdsEveryUpdate).toBe(true);
    expect(createStrategyFromChoice({ name: 'fedyogi' }, common).holdsEveryUpdate).toBe(false);
    expect(createStrategyFromChoice({ name: 'fedyogi' }, common).appliesWeightedMean).toBe(false);
    expect(createStrategyFromChoice({ name: 'fedprox' }, common).appliesWeightedMean).toBe(true);
  });

  it('wraps a normBound with the schema defaults, clipping on the clients when asked', () => {
    const central = createStrategyFromChoice({ name: 'fedavg', normBound: { adaptive: { targetQuantile: 0.5 } } }, common);
    const onClients = createStrategyFromChoice({ name: 'fedavg', normBound: { clipNorm: 3 } }, { ...common, clipsOnClients: true });

    const outcome = runRound(central, [Float32Array.of(0)], [envelope('a', 1, [Float32Array.of(4)])]);
    const plan = onClients.configureFit(context([]), [{ id: 'a', numTrainExamples: 1, numEvalExamples: 0 }]);

    expect(central).toBeInstanceOf(NormBoundStrategy);
    expect(outcome.weights![0]![0]).toBe(1); // clipped to the default C = 1
    expect((central as NormBoundStrategy).currentClipNorm).toBeCloseTo(Math.exp(0.2 * 0.5), 7); // 0 of 1 unclipped, η = 0.2
    expect(plan!.config.updateClipNorm).toBe(3);
  });
});
