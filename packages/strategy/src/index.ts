/** @shoal/strategy: pluggable round strategies over pure aggregation math. */
export { FedAvg, WeightedDeltaAggregation } from './fedavg.js';
export type { FedAvgOptions } from './fedavg.js';
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
  Strategy,
} from './strategy.js';
export { DifferentialPrivacyStrategy } from './differential-privacy.js';
export type { ClippingOptions, DifferentialPrivacyOptions } from './differential-privacy.js';
