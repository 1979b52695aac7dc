/** FedAvg (McMahan et al. 2017): the example-weighted mean of client deltas, applied with a server learning rate. */
import type { FitConfig } from '@shoal/protocol';
import { applyDelta, scaleInPlace, weightedMetric, zerosLike } from './weighted-mean.js';
import { sampleSize, sampleWithoutReplacement } from './sampling.js';
import type {
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

export interface FedAvgOptions {
  fractionFit: number;
  minFitClients: number;
  fractionEvaluate: number;
  minEvaluateClients: number;
  fit: FitConfig;
  evaluateBatchSize?: number;
  serverLearningRate?: number;
}

export class FedAvg implements Strategy {
  readonly name = 'fedavg';

  constructor(private readonly options: FedAvgOptions) {
    if (!(options.fractionFit > 0 && options.fractionFit <= 1)) throw new RangeError('fractionFit must be in (0, 1]');
    if (!(options.fractionEvaluate >= 0 && options.fractionEvaluate <= 1)) throw new RangeError('fractionEvaluate must be in [0, 1]');
    if (!Number.isInteger(options.minFitClients) || options.minFitClients < 1) throw new RangeError('minFitClients must be an integer >= 1');
  }

  configureFit(context: RoundContext, available: readonly ClientCandidate[]): FitPlan | undefined {
    const eligible = available.filter((client) => client.numTrainExamples > 0);
    if (eligible.length < this.options.minFitClients) return undefined;
    const count = sampleSize(eligible.length, this.options.fractionFit, this.options.minFitClients);
    const chosen = sampleWithoutReplacement(eligible, count, context.random);
    return { clientIds: chosen.map((client) => client.id), config: { ...this.options.fit } };
  }

  beginAggregation(context: RoundContext): FitAggregation {
    return new WeightedDeltaAggregation(context.globalWeights, this.options.serverLearningRate ?? 1, context.allocateSum);
  }

  configureEvaluate(context: RoundContext, available: readonly ClientCandidate[]): EvaluatePlan | undefined {
    if (this.options.fractionEvaluate === 0) return undefined;
    const eligible = available.filter((client) => client.numEvalExamples > 0);
    if (eligible.length === 0 || eligible.length < this.options.minEvaluateClients) return undefined;
    const count = sampleSize(eligible.length, this.options.fractionEvaluate, this.options.minEvaluateClients);
    const chosen = sampleWithoutReplacement(eligible, count, context.random);
    return { clientIds: chosen.map((client) => client.id), batchSize: this.options.evaluateBatchSize ?? 256 };
  }

  aggregateEvaluate(results: readonly EvaluateReport[], _failures: readonly ClientFailure[]): EvaluateOutcome | undefined {
    const numExamples = results.reduce((total, result) => total + result.numExamples, 0);
    if (numExamples === 0) return undefined;
    const loss = weightedMetric(results.map((r) => ({ weight: r.numExamples, value: r.loss })))!;
    const accuracy = weightedMetric(results.map((r) => ({ weight: r.numExamples, value: r.accuracy })))!;
    return { loss, accuracy, numExamples };
  }
}

/** Keeps Σ n_k Δ_k and Σ n_k only; each update is decoded straight into the running sum. */
export class WeightedDeltaAggregation implements FitAggregation {
  private readonly sum: Float32Array[];
  private totalExamples = 0;
  private readonly metrics: { weight: number; loss: number; accuracy: number | undefined }[] = [];

  constructor(
    private readonly globalWeights: readonly Float32Array[],
    private readonly serverLearningRate: number,
    allocateSum?: RoundContext['allocateSum'],
  ) {
    this.sum = allocateSum?.(globalWeights.map((tensor) => tensor.length)) ?? zerosLike(globalWeights);
  }

  add(result: FitResultEnvelope): void {
    if (!(result.numExamples > 0)) throw new RangeError(`client ${result.clientId} reported ${result.numExamples} examples`);
    result.accumulateInto(this.sum, result.numExamples);
    this.totalExamples += result.numExamples;
    this.metrics.push({ weight: result.numExamples, loss: result.metrics.loss, accuracy: result.metrics.accuracy });
  }

  finish(_failures: readonly ClientFailure[]): FitOutcome {
    if (this.totalExamples === 0) return { weights: undefined, metrics: { examples: 0 } };
    scaleInPlace(this.sum, 1 / this.totalExamples);
    return {
      weights: applyDelta(this.globalWeights, this.sum, this.serverLearningRate),
      metrics: {
        examples: this.totalExamples,
        trainLoss: weightedMetric(this.metrics.map((m) => ({ weight: m.weight, value: m.loss }))),
        trainAccuracy: weightedMetric(this.metrics.map((m) => ({ weight: m.weight, value: m.accuracy }))),
      },
    };
  }
}
