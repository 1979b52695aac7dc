/**
 * A strategy composed from three choices: which clients train (Flower's sampling rule, optionally capped), how their
 * updates combine (an AggregationRule) and how the aggregate moves the model (a server optimiser). FedAvg, FedAvgM,
 * FedProx, FedAdam, FedYogi, FedAdagrad, FedMedian, FedTrimmedAvg, Krum and Multi-Krum are all settings of it.
 */
import { ShoalError, type FitConfig } from '@shoal/protocol';
import { holdsEveryUpdate, validateRule, type AggregationRule } from './aggregation-rule.js';
import { BufferedAggregation } from './buffered-aggregation.js';
import { DEFAULT_SKETCH_BUCKETS } from './count-sketch.js';
import { sampleSize, sampleWithoutReplacement } from './sampling.js';
import { ServerOptimiser, type ServerOptimiserOptions } from './server-optimiser.js';
import { describeKeys, isEmptyState } from './strategy-state.js';
import type {
  ClientCandidate,
  ClientFailure,
  EvaluateOutcome,
  EvaluatePlan,
  EvaluateReport,
  FitAggregation,
  FitPlan,
  RoundContext,
  Strategy,
  StrategyState,
} from './strategy.js';
import { bufferedBytesPerUpdate } from './update-buffer.js';
import { WeightedDeltaAggregation } from './weighted-delta-aggregation.js';
import { weightedMetric } from './weighted-mean.js';

/** Who trains and evaluates each round, and with what local settings: what every strategy of the family shares. */
export interface SamplingOptions {
  fractionFit: number;
  minFitClients: number;
  /** The most clients sampled per round (default: no cap). */
  maxFitClients?: number;
  fractionEvaluate: number;
  minEvaluateClients: number;
  evaluateBatchSize?: number;
  fit: FitConfig;
}

export interface FederatedStrategyOptions extends SamplingOptions {
  /** The Flower-style name the strategy reports ('fedavg', 'fedadam', 'krum', ...). */
  name: string;
  /** FedProx's μ, sent to the clients in the FitConfig. */
  proximalMu?: number;
  /** Default: the example-weighted mean. */
  aggregation?: AggregationRule;
  /** Default: plain SGD with η = 1 (FedAvg). */
  optimiser?: ServerOptimiserOptions;
  /** k of the distance sketches that streaming rules keep per update (default 2048). */
  sketchBuckets?: number;
}

/** What the coordinator may ask of a composed strategy before running it. */
export interface ComposedStrategy extends Strategy {
  /** The rule copies every update (memory grows with the clients per round). */
  readonly holdsEveryUpdate: boolean;
  /** The new model is global + η·(weighted mean update) and nothing else: what DP-FedAvg's noise accounting assumes. */
  readonly appliesWeightedMean: boolean;
  /** Bytes held per update during a round, for a model of `parameterCount` values. */
  heldBytesPerUpdate(parameterCount: number): number;
}

export class FederatedStrategy implements ComposedStrategy {
  readonly name: string;
  readonly holdsEveryUpdate: boolean;
  readonly appliesWeightedMean: boolean;
  private readonly aggregation: AggregationRule;
  private readonly optimiser: ServerOptimiser;

  constructor(private readonly options: FederatedStrategyOptions) {
    const { fractionFit, fractionEvaluate, minFitClients, maxFitClients, proximalMu } = options;
    if (!(fractionFit > 0 && fractionFit <= 1)) throw new ShoalError('VALIDATION_FAILED', 'fractionFit must be in (0, 1]');
    if (!(fractionEvaluate >= 0 && fractionEvaluate <= 1)) throw new ShoalError('VALIDATION_FAILED', 'fractionEvaluate must be in [0, 1]');
    if (!Number.isInteger(minFitClients) || minFitClients < 1) throw new ShoalError('VALIDATION_FAILED', 'minFitClients must be an integer >= 1');
    if (maxFitClients !== undefined && !(Number.isInteger(maxFitClients) && maxFitClients >= minFitClients)) throw new ShoalError('VALIDATION_FAILED', 'maxFitClients must be an integer >= minFitClients');
    if (proximalMu !== undefined && !(proximalMu >= 0 && Number.isFinite(proximalMu))) throw new ShoalError('VALIDATION_FAILED', 'proximalMu must be a finite number >= 0');
    this.name = options.name;
    this.aggregation = options.aggregation ?? { kind: 'mean' };
    validateRule(this.aggregation);
    this.optimiser = new ServerOptimiser(options.optimiser ?? { kind: 'sgd', learningRate: 1 });
    this.holdsEveryUpdate = holdsEveryUpdate(this.aggregation);
    this.appliesWeightedMean = this.aggregation.kind === 'mean' && this.optimiser.options.kind === 'sgd';
  }

  heldBytesPerUpdate(parameterCount: number): number {
    return this.holdsEveryUpdate ? bufferedBytesPerUpdate(parameterCount) : 4 * (this.options.sketchBuckets ?? DEFAULT_SKETCH_BUCKETS);
  }

  configureFit(context: RoundContext, available: readonly ClientCandidate[]): FitPlan | undefined {
    const { fractionFit, minFitClients, maxFitClients, fit, proximalMu } = this.options;
    const eligible = available.filter((client) => client.numTrainExamples > 0);
    if (eligible.length < minFitClients) return undefined;
    const count = Math.min(sampleSize(eligible.length, fractionFit, minFitClients), maxFitClients ?? Infinity);
    const chosen = sampleWithoutReplacement(eligible, count, context.random);
    return { clientIds: chosen.map((client) => client.id), config: { ...fit, ...(proximalMu === undefined ? {} : { proximalMu }) } };
  }

  beginAggregation(context: RoundContext): FitAggregation {
    const step = (update: readonly Float32Array[]) => this.optimiser.step(context.globalWeights, update);
    if (this.aggregation.kind === 'mean') {
      // One draw from the round's random source: the sketch's coordinates are as unpredictable to clients as sampling.
      const sketchSeed = Math.floor(context.random() * 2 ** 32);
      return new WeightedDeltaAggregation({ globalWeights: context.globalWeights, step, kernels: context.kernels, sketchBuckets: this.options.sketchBuckets, sketchSeed });
    }
    return new BufferedAggregation({ rule: this.aggregation, step });
  }

  configureEvaluate(context: RoundContext, available: readonly ClientCandidate[]): EvaluatePlan | undefined {
    const { fractionEvaluate, minEvaluateClients, evaluateBatchSize } = this.options;
    if (fractionEvaluate === 0) return undefined;
    const eligible = available.filter((client) => client.numEvalExamples > 0);
    if (eligible.length === 0 || eligible.length < minEvaluateClients) return undefined;
    const count = sampleSize(eligible.length, fractionEvaluate, minEvaluateClients);
    const chosen = sampleWithoutReplacement(eligible, count, context.random);
    return { clientIds: chosen.map((client) => client.id), batchSize: evaluateBatchSize ?? 256 };
  }

  aggregateEvaluate(results: readonly EvaluateReport[], _failures: readonly ClientFailure[]): EvaluateOutcome | undefined {
    const numExamples = results.reduce((total, result) => total + result.numExamples, 0);
    if (numExamples === 0) return undefined;
    const loss = weightedMetric(results.map((r) => ({ weight: r.numExamples, value: r.loss })))!;
    const accuracy = weightedMetric(results.map((r) => ({ weight: r.numExamples, value: r.accuracy })))!;
    return { loss, accuracy, numExamples };
  }

  /** The server optimiser's moments (SGD has none: undefined). */
  exportState(): StrategyState | undefined {
    const state = this.optimiser.exportState();
    return isEmptyState(state) ? undefined : state;
  }

  restoreState(state: StrategyState): void {
    const rest = this.optimiser.restoreState(state);
    if (!isEmptyState(rest)) throw new ShoalError('VALIDATION_FAILED', `'${this.name}' has no state ${describeKeys(rest)}`);
  }
}
