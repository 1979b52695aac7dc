/** @shoal/strategy: pluggable round strategies over pure aggregation math. */
export { FedAvg } from './fedavg.js';
export type { ComposedStrategy } from './federated-strategy.js';
export { createStrategyFromChoice } from './strategy-from-choice.js';
export { adamStep } from './fed-adam.js';
export { yogiStep } from './fed-yogi.js';
export { outlierFlags } from './outlier-flags.js';
export type {
  ClientCandidate,
  ClientFailure,
  EvaluateOutcome,
  EvaluateReport,
  FitAggregation,
  FitOutcome,
  FitPlan,
  FitResultEnvelope,
  RoundContext,
  Strategy,
  StrategyState,
  UpdateDiagnostics,
} from './strategy.js';
export { DifferentialPrivacyStrategy } from './differential-privacy.js';
export { WeightedDeltaAggregation, PartialSumAggregation, type PartialSum, type PartialEntry } from './weighted-delta-aggregation.js';
