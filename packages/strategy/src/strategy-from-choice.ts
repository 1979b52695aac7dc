/**
 * Builds a strategy from a job's `strategy` choice (create-job-request.schema.json), filling the schema's defaults.
 * Which fields apply to which name is checked where the job is validated; here the fields of other strategies are
 * simply not read.
 */
import { ShoalError, type FitConfig, type StrategyChoice } from '@shoal/protocol';
import type { AggregationRule } from './aggregation-rule.js';
import { FederatedStrategy, type ComposedStrategy, type FederatedStrategyOptions, type SamplingOptions } from './federated-strategy.js';
import { NormBoundStrategy, type NormBoundOptions } from './norm-bound.js';
import type { ServerOptimiserOptions } from './server-optimiser.js';

export type StrategyName = StrategyChoice['name'];

/** The job schema's defaults (Reddi et al.'s suggestions); Flower's differ in places (FedAvgM's β = 0, FedAdam's η = 0.1 and τ = 1e-9). */
export const STRATEGY_DEFAULTS = {
  serverLearningRate: 1,
  adaptiveServerLearningRate: 0.01,
  serverMomentum: 0.9,
  beta1: 0.9,
  beta2: 0.99,
  tau: 1e-3,
  proximalMu: 0.01,
  trimFraction: 0.2,
  clipNorm: 1,
  clipLearningRate: 0.2,
} as const;

/** What the job sets outside the strategy choice. */
export interface CommonStrategyOptions extends SamplingOptions {
  /** The coordinator cannot see single updates (secure aggregation, client-mode DP): a normBound is applied by the clients. */
  clipsOnClients?: boolean;
  sketchBuckets?: number;
}

/** The FederatedStrategy settings a choice stands for (without its normBound). */
export function federatedOptionsFromChoice(choice: StrategyChoice, common: CommonStrategyOptions): FederatedStrategyOptions {
  const { clipsOnClients: _clipsOnClients, ...sampling } = common;
  const d = STRATEGY_DEFAULTS;
  const eta = choice.serverLearningRate;
  const sgd = (): ServerOptimiserOptions => ({ kind: 'sgd', learningRate: eta ?? d.serverLearningRate });
  const adaptive = { learningRate: eta ?? d.adaptiveServerLearningRate, beta1: choice.beta1 ?? d.beta1, beta2: choice.beta2 ?? d.beta2, tau: choice.tau ?? d.tau };
  const settings = (aggregation: AggregationRule, optimiser: ServerOptimiserOptions, proximalMu?: number): FederatedStrategyOptions => ({
    ...sampling,
    name: choice.name,
    aggregation,
    optimiser,
    ...(proximalMu === undefined ? {} : { proximalMu }),
  });
  const mean: AggregationRule = { kind: 'mean' };
  switch (choice.name) {
    case 'fedavg':
      return settings(mean, sgd());
    case 'fedavgm':
      return settings(mean, { kind: 'momentum', learningRate: eta ?? d.serverLearningRate, momentum: choice.serverMomentum ?? d.serverMomentum });
    case 'fedprox':
      return settings(mean, sgd(), choice.proximalMu ?? d.proximalMu);
    case 'fedadam':
      return settings(mean, { kind: 'adam', ...adaptive });
    case 'fedyogi':
      return settings(mean, { kind: 'yogi', ...adaptive });
    case 'fedadagrad':
      // Reddi's FedAdagrad with β1 = 0, i.e. m = Δ̄ as in Flower; the schema offers no beta1 for it.
      return settings(mean, { kind: 'adagrad', learningRate: adaptive.learningRate, beta1: 0, tau: adaptive.tau });
    case 'fedmedian':
      return settings({ kind: 'median' }, sgd());
    case 'fedtrimmedavg':
      return settings({ kind: 'trimmed-mean', trimFraction: choice.trimFraction ?? d.trimFraction }, sgd());
    case 'krum':
      return settings({ kind: 'krum', byzantineClients: choice.byzantineClients }, sgd());
    case 'multikrum':
      return settings({ kind: 'multi-krum', byzantineClients: choice.byzantineClients, keepClients: choice.keepClients }, sgd());
    default:
      throw new ShoalError('VALIDATION_FAILED', `unknown strategy '${String((choice as { name: unknown }).name)}'`);
  }
}

/** The normBound wrapper's settings for a choice, or undefined when it has none. */
export function normBoundOptionsFromChoice(choice: StrategyChoice, common: Pick<CommonStrategyOptions, 'clipsOnClients'>): NormBoundOptions | undefined {
  const bound = choice.normBound;
  if (bound === undefined) return undefined;
  return {
    clipNorm: bound.clipNorm ?? STRATEGY_DEFAULTS.clipNorm,
    ...(bound.adaptive === undefined ? {} : { adaptive: { targetQuantile: bound.adaptive.targetQuantile, learningRate: bound.adaptive.learningRate ?? STRATEGY_DEFAULTS.clipLearningRate } }),
    centred: bound.centred ?? false,
    clientSide: common.clipsOnClients ?? false,
  };
}

/** The strategy a job's choice names, wrapped in its normBound when it has one. */
export function createStrategyFromChoice(choice: StrategyChoice, common: CommonStrategyOptions): ComposedStrategy {
  const strategy = new FederatedStrategy(federatedOptionsFromChoice(choice, common));
  const bound = normBoundOptionsFromChoice(choice, common);
  return bound === undefined ? strategy : new NormBoundStrategy(strategy, bound);
}
