/**
 * A round under a robust rule (median, trimmed mean, Krum): copies each update, since the coordinator reuses the
 * envelope's arrays, combines them when the round closes and measures every update's exact distance to the result.
 */
import { ShoalError } from '@shoal/protocol';
import { robustAggregate, type RobustRule } from './aggregation-rule.js';
import type { ClientFailure, FitAggregation, FitOutcome, FitResultEnvelope } from './strategy.js';
import { allFinite, l2Distance } from './tensor-measures.js';
import { TrainMetrics, checkWeight } from './train-metrics.js';
import { copyUpdate } from './update-buffer.js';

export interface BufferedAggregationOptions {
  rule: RobustRule;
  /** Turns the round's aggregate update into new weights (the server optimiser); undefined keeps the current model. */
  step: (update: readonly Float32Array[]) => Float32Array[] | undefined;
}

interface Held {
  clientId: string;
  weight: number;
  updateNorm: number;
  values: Float32Array[];
}

export class BufferedAggregation implements FitAggregation {
  private readonly held: Held[] = [];
  private readonly metrics = new TrainMetrics();

  constructor(private readonly options: BufferedAggregationOptions) {}

  add(result: FitResultEnvelope): void {
    checkWeight(result);
    if ((result.participants ?? 1) > 1) throw new ShoalError('VALIDATION_FAILED', `the '${this.options.rule.kind}' rule needs each client's update, not a sum of ${result.participants}`);
    this.held.push({ clientId: result.clientId, weight: result.numExamples, updateNorm: result.l2Norm, values: copyUpdate(result.values) });
    this.metrics.record(result);
  }

  finish(_failures: readonly ClientFailure[]): FitOutcome {
    if (this.held.length === 0) return { weights: undefined, metrics: { examples: 0 } };
    const aggregate = robustAggregate(this.options.rule, this.held);
    const finite = aggregate !== undefined && allFinite(aggregate.update);
    const weights = finite ? this.options.step(aggregate.update) : undefined;
    const diagnostics = this.held.map((entry, i) => ({
      clientId: entry.clientId,
      weight: aggregate?.included[i] === true ? entry.weight : 0,
      updateNorm: entry.updateNorm,
      distanceToAggregate: finite ? l2Distance(entry.values, aggregate.update) : undefined,
      clipped: false,
    }));
    return { weights, metrics: this.metrics.summary(), diagnostics };
  }
}
