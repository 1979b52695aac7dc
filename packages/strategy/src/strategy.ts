/** The Strategy contract: decides who trains, how results combine and how evaluation is run. Never touches I/O. */
import type { FitConfig } from '@shoal/protocol';

/** What a strategy may know about an available client. */
export interface ClientCandidate {
  id: string;
  numTrainExamples: number;
  numEvalExamples: number;
}

export interface RoundContext {
  round: number;
  /** The global weights the round starts from, in model tensor order. */
  globalWeights: readonly Float32Array[];
  random: () => number;
  /**
   * How a weighted mean keeps and adds to its running sum. The coordinator passes @shoal/codec's SIMD_SUM_KERNELS
   * (the sum in WebAssembly memory, adds with SIMD); default: ordinary Float32Arrays and JavaScript loops.
   */
  kernels?: SumKernels;
}

export interface SumKernels {
  /** Zeroed arrays of these lengths. */
  allocate(lengths: readonly number[]): Float32Array[];
  /** sum[t] += weight · values[t] for every tensor. */
  addScaled(sum: readonly Float32Array[], values: readonly Float32Array[], weight: number): void;
}

export interface FitPlan {
  clientIds: string[];
  config: FitConfig;
}

/**
 * One accepted client update, validated and decoded once by the coordinator before any strategy sees it: every value
 * is finite and the norm is within the job's bound.
 */
export interface FitResultEnvelope {
  clientId: string;
  /** The update's weight: the example count the client reported, already capped by the coordinator. */
  numExamples: number;
  metrics: { loss: number; accuracy?: number };
  /**
   * The decoded update Δ in model tensor order. It belongs to one `add` call: the coordinator reuses these arrays for
   * the next update, so an aggregation that keeps updates copies them, and a wrapper may change them in place
   * (clip, centre) before passing the envelope on, updating `l2Norm` to match.
   */
  values: readonly Float32Array[];
  /** ‖Δ‖₂ over all tensors, measured when the update was decoded. */
  l2Norm: number;
  /**
   * How many clients this result stands for: 1 (the default) for one client's update; all of them for a secure-aggregation
   * sum, whose `values` are their weighted mean and whose `numExamples` is their total.
   */
  participants?: number;
}

export interface ClientFailure {
  clientId: string;
  code: string;
  message: string;
}

/** What the aggregation saw of one update, for anomaly flags and the contribution record. */
export interface UpdateDiagnostics {
  clientId: string;
  /** The weight the update carried (0 when a robust rule left it out). */
  weight: number;
  updateNorm: number;
  /** ‖Δ − Δ̄‖₂ to the round's aggregate update Δ̄; streaming aggregations estimate it from a count sketch. */
  distanceToAggregate: number | undefined;
  /** A norm bound clipped this update. */
  clipped: boolean;
}

export interface FitOutcome {
  /** The new global weights, or undefined when the strategy decides to keep the current model. */
  weights: Float32Array[] | undefined;
  metrics: { trainLoss?: number; trainAccuracy?: number; examples: number; clippedUpdates?: number; strategyClipNorm?: number };
  /** Set by differentially private strategies: what this round released. */
  privacy?: { clipNorm: number; noiseStddev: number; participants: number; nextClipNorm: number };
  /** One entry per update added, in the order added (absent for aggregations that cannot tell, e.g. a secure sum). */
  diagnostics?: UpdateDiagnostics[];
}

/**
 * What a strategy carries from round to round (server optimiser moments, an adaptive clip norm, the previous
 * aggregate): stored with each model version, so a restarted coordinator continues the same trajectory.
 */
export interface StrategyState {
  scalars: Record<string, number>;
  tensors: Record<string, Float32Array[]>;
}

/** Streaming aggregation of one round: memory is O(model size) whatever the number of clients. */
export interface FitAggregation {
  add(result: FitResultEnvelope): void;
  finish(failures: readonly ClientFailure[]): FitOutcome;
}

export interface EvaluatePlan {
  clientIds: string[];
  batchSize: number;
}

export interface EvaluateReport {
  clientId: string;
  numExamples: number;
  loss: number;
  accuracy: number;
}

export interface EvaluateOutcome {
  loss: number;
  accuracy: number;
  numExamples: number;
}

export interface Strategy {
  readonly name: string;
  /** Chooses clients and their training config, or undefined to wait for more clients. */
  configureFit(context: RoundContext, available: readonly ClientCandidate[]): FitPlan | undefined;
  beginAggregation(context: RoundContext): FitAggregation;
  configureEvaluate(context: RoundContext, available: readonly ClientCandidate[]): EvaluatePlan | undefined;
  aggregateEvaluate(results: readonly EvaluateReport[], failures: readonly ClientFailure[]): EvaluateOutcome | undefined;
  /** The state after the last finished round (taken right after `finish`), or undefined for a stateless strategy. */
  exportState?(): StrategyState | undefined;
  /** Continues from a state `exportState` gave (after a restart); throws a ShoalError (VALIDATION_FAILED or SHAPE_MISMATCH) when it does not fit the model. */
  restoreState?(state: StrategyState): void;
}
