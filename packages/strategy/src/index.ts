/** @shoal/strategy: pluggable round strategies over pure aggregation math. */
export { FedAvg } from './fedavg.js';
export type { FedAvgOptions } from './fedavg.js';
export { FederatedStrategy } from './federated-strategy.js';
export type { ComposedStrategy, FederatedStrategyOptions } from './federated-strategy.js';
export { createStrategyFromChoice, federatedOptionsFromChoice, normBoundOptionsFromChoice, STRATEGY_DEFAULTS } from './strategy-from-choice.js';
export type { CommonStrategyOptions, StrategyName } from './strategy-from-choice.js';
export { NormBoundStrategy } from './norm-bound.js';
export type { NormBoundOptions } from './norm-bound.js';
export { WeightedDeltaAggregation } from './weighted-delta-aggregation.js';
export type { WeightedDeltaAggregationOptions } from './weighted-delta-aggregation.js';
export { defaultByzantineClients, holdsEveryUpdate } from './aggregation-rule.js';
export type { AggregationRule, RobustRule } from './aggregation-rule.js';
export { coordinateMedian } from './coordinate-median.js';
export { trimmedMean } from './trimmed-mean.js';
export { krum, krumScores, multiKrum } from './krum.js';
export type { KrumResult } from './krum.js';
export { bufferedBytesPerUpdate } from './update-buffer.js';
export type { WeightedUpdate } from './update-buffer.js';
export { ServerOptimiser } from './server-optimiser.js';
export type { ServerOptimiserOptions } from './server-optimiser.js';
export { momentumStep } from './server-momentum.js';
export type { MomentumOptions, MomentumState } from './server-momentum.js';
export { adamStep } from './fed-adam.js';
export type { AdamOptions } from './fed-adam.js';
export { yogiStep } from './fed-yogi.js';
export { adagradStep } from './fed-adagrad.js';
export type { AdaptiveMoments, AdaptiveOptions } from './adaptive-moments.js';
export { DEFAULT_OUTLIER_THRESHOLD, outlierFlags } from './outlier-flags.js';
export { allFinite, l2Distance } from './tensor-measures.js';
export { addScaled, applyDelta, scaleInPlace, weightedAverage, weightedMetric, zerosLike } from './weighted-mean.js';
export { sampleSize, sampleWithoutReplacement } from './sampling.js';
export type {
  ClientCandidate,
  ClientFailure,
  EvaluateOutcome,
  EvaluatePlan,
  EvaluateReport,
  FitAggregation,
  FitOutcome,
  FitPlan,
  FitResultEnvelope,
  RoundContext,
  SumKernels,
  Strategy,
  StrategyState,
  UpdateDiagnostics,
} from './strategy.js';
export { DifferentialPrivacyStrategy } from './differential-privacy.js';
export type { ClippingOptions, DifferentialPrivacyOptions } from './differential-privacy.js';
