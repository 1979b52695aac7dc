/** The round's training loss and accuracy: means over the accepted updates weighted by their example counts. */
import { ShoalError } from '@shoal/protocol';
import type { FitOutcome, FitResultEnvelope } from './strategy.js';
import { weightedMetric } from './weighted-mean.js';

export class TrainMetrics {
  private readonly entries: { weight: number; loss: number; accuracy: number | undefined }[] = [];
  private totalExamples = 0;

  record(result: FitResultEnvelope): void {
    this.entries.push({ weight: result.numExamples, loss: result.metrics.loss, accuracy: result.metrics.accuracy });
    this.totalExamples += result.numExamples;
  }

  get examples(): number {
    return this.totalExamples;
  }

  summary(): FitOutcome['metrics'] {
    return {
      examples: this.totalExamples,
      trainLoss: weightedMetric(this.entries.map((entry) => ({ weight: entry.weight, value: entry.loss }))),
      trainAccuracy: weightedMetric(this.entries.map((entry) => ({ weight: entry.weight, value: entry.accuracy }))),
    };
  }
}

/** Refuses a weight a mean cannot use; the coordinator caps it, this guards the arithmetic. */
export function checkWeight(result: FitResultEnvelope): void {
  if (!(result.numExamples > 0 && Number.isFinite(result.numExamples))) throw new ShoalError('VALIDATION_FAILED', `client ${result.clientId} reported ${result.numExamples} examples`);
}
