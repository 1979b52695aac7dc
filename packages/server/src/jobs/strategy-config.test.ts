import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { fitToMemory, normalizeStrategy, type StrategyContext } from './strategy-config.js';

const plain: StrategyContext = { minFitClients: 10, secureAggregation: false, privacy: undefined, maxFitClients: undefined, learningRate: 0.1 };
const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    const failure = error as ShoalError;
    return `${(failure.details as { problems: { field: string }[] }).problems[0]!.field} ${failure.message}`;
  }
  return 'accepted';
};

describe('normalizeStrategy', () => {
  it('fills the server learning rate each strategy starts from', () => {
    expect(normalizeStrategy(undefined, plain)).toEqual({ name: 'fedavg', serverLearningRate: 1 });
    expect(normalizeStrategy({ name: 'fedadam' }, plain).serverLearningRate).toBe(0.01);
    expect(normalizeStrategy({ name: 'fedavgm', serverMomentum: 0.8 }, plain).serverLearningRate).toBeCloseTo(0.2, 12);
    expect(normalizeStrategy({ name: 'krum', serverLearningRate: 0.5 }, plain).serverLearningRate).toBe(0.5);
  });

  it('refuses a field of another strategy, naming it and what the strategy takes', () => {
    expect(refusal(() => normalizeStrategy({ name: 'fedavg', trimFraction: 0.1 }, plain))).toMatch(/^\/strategy\/trimFraction strategy\/trimFraction does not apply to strategy 'fedavg'/);
    expect(refusal(() => normalizeStrategy({ name: 'fedtrimmedavg', trimFraction: 0.1 }, plain))).toBe('accepted');
  });

  it('refuses rules that need single updates under secure aggregation or DP, and stateful optimisers under DP', () => {
    expect(refusal(() => normalizeStrategy({ name: 'krum' }, { ...plain, secureAggregation: true }))).toMatch(/^\/strategy\/name .*secure aggregation shows the coordinator only the sum/);
    expect(refusal(() => normalizeStrategy({ name: 'fedmedian' }, { ...plain, privacy: 'client' }))).toMatch(/^\/strategy\/name .*differential privacy/);
    expect(refusal(() => normalizeStrategy({ name: 'fedadam' }, { ...plain, privacy: 'central' }))).toMatch(/^\/strategy\/name strategy\/name 'fedadam' keeps server state/);
    expect(refusal(() => normalizeStrategy({ name: 'fedprox' }, { ...plain, privacy: 'central' }))).toBe('accepted');
  });

  it('refuses Krum with fewer than 2f + 3 clients per round, and Multi-Krum keeping more than n − f', () => {
    expect(refusal(() => normalizeStrategy({ name: 'krum' }, { ...plain, minFitClients: 2 }))).toMatch(/^\/minFitClients .*at least 3 for 'krum'/);
    expect(refusal(() => normalizeStrategy({ name: 'krum', byzantineClients: 4 }, plain))).toMatch(/^\/strategy\/byzantineClients strategy\/byzantineClients \(4\) needs at least 11 clients per round/);
    expect(refusal(() => normalizeStrategy({ name: 'multikrum', byzantineClients: 2, keepClients: 9 }, plain))).toMatch(/^\/strategy\/keepClients strategy\/keepClients \(9\) must be at most .* 8/);
    expect(refusal(() => normalizeStrategy({ name: 'multikrum', byzantineClients: 2, keepClients: 8 }, plain))).toBe('accepted');
  });

  it('refuses a normBound the coordinator cannot apply, and an unstable proximal step', () => {
    expect(refusal(() => normalizeStrategy({ name: 'fedavg', normBound: { adaptive: { targetQuantile: 0.5 } } }, { ...plain, secureAggregation: true }))).toMatch(/^\/strategy\/normBound\/adaptive/);
    expect(refusal(() => normalizeStrategy({ name: 'fedavg', normBound: { clipNorm: 1, centred: true } }, { ...plain, privacy: 'central' }))).toMatch(/^\/strategy\/normBound\/centred/);
    expect(refusal(() => normalizeStrategy({ name: 'fedavg', normBound: { clipNorm: 2 } }, { ...plain, secureAggregation: true }))).toBe('accepted');
    expect(refusal(() => normalizeStrategy({ name: 'fedprox', proximalMu: 25 }, plain))).toMatch(/^\/strategy\/proximalMu strategy\/proximalMu \(25\) times the learningRate \(0.1\) must stay below 2/);
  });
});

describe('fitToMemory', () => {
  const budget = 64 * 2 ** 20;
  it('gives buffered strategies as many clients per round as the budget holds, and refuses more', () => {
    // 1M parameters = 4 MiB an update: 16 fit.
    expect(fitToMemory('fedmedian', { maxFitClients: undefined, minFitClients: 2 }, 1_000_000, budget)).toBe(16);
    expect(refusal(() => fitToMemory('krum', { maxFitClients: 20, minFitClients: 2 }, 1_000_000, budget))).toMatch(/^\/maxFitClients maxFitClients \(20\) updates of 3.8 MiB each exceed .* at most 16 fit/);
    expect(refusal(() => fitToMemory('fedtrimmedavg', { maxFitClients: undefined, minFitClients: 30 }, 1_000_000, budget))).toMatch(/^\/minFitClients/);
  });

  it('leaves streaming strategies unbounded', () => {
    expect(fitToMemory('fedavg', { maxFitClients: undefined, minFitClients: 2 }, 10_000_000, budget)).toBeUndefined();
  });
});
