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
   * Where a weighted mean keeps its running sum: zeroed arrays of these lengths. The coordinator
   * passes @shoal/codec's createAccumulators, whose arrays its codecs add into with SIMD; default:
   * ordinary Float32Arrays.
   */
  allocateSum?: (lengths: readonly number[]) => Float32Array[];
}

export interface FitPlan {
  clientIds: string[];
  config: FitConfig;
}

/** One accepted client update, decoded lazily so aggregation can stream it into a running sum. */
export interface FitResultEnvelope {
  clientId: string;
  numExamples: number;
  metrics: { loss: number; accuracy?: number };
  /** target[t][i] += weight * delta[t][i]; the update's frame is validated before this is called. */
  accumulateInto(target: Float32Array[], weight: number): void;
  /** The L2 norm of the whole update (what DP clipping needs before accumulating). */
  l2Norm(): number;
  /**
   * How many clients this result stands for: 1 (the default) for one client's update; all of them for a secure-aggregation
   * sum, whose `accumulateInto` adds `weight ×` their weighted mean and whose `numExamples` is their total.
   */
  participants?: number;
}

export interface ClientFailure {
  clientId: string;
  code: string;
  message: string;
}

export interface FitOutcome {
  /** The new global weights, or undefined when the strategy decides to keep the current model. */
  weights: Float32Array[] | undefined;
  metrics: { trainLoss?: number; trainAccuracy?: number; examples: number };
  /** Set by differentially private strategies: what this round released. */
  privacy?: { clipNorm: number; noiseStddev: number; participants: number; nextClipNorm: number };
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
}
