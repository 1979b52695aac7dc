/** A secure round's ring sum as one strategy input: the weighted mean of the included deltas, standing for all of them. Pure. */
import type { SecureAggregationTask, TensorSpec } from '@shoal/protocol';
import { decodeWeightedSum } from '@shoal/secagg';
import type { FitResultEnvelope } from '@shoal/strategy';
import { l2NormOf } from '../update-intake.js';

/** What an included client reported in the clear with its masked input. */
export interface ClientReport {
  numExamples: number;
  loss: number;
  accuracy: number | undefined;
}

/** Σ f·Δ / Σ f split into the model's tensors; undefined when the sum holds no weight. */
export function secureContribution(
  sum: Uint32Array,
  task: Pick<SecureAggregationTask, 'ringBits' | 'clipRange' | 'maxClients'>,
  tensorSpecs: readonly TensorSpec[],
  reports: readonly ClientReport[],
): FitResultEnvelope | undefined {
  const { weightedSum, totalWeight } = decodeWeightedSum(sum, { ringBits: task.ringBits, clipRange: task.clipRange, maxClients: task.maxClients });
  const numExamples = reports.reduce((total, report) => total + report.numExamples, 0);
  if (!(totalWeight > 0) || numExamples === 0) return undefined;
  let offset = 0;
  const mean = tensorSpecs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const tensor = weightedSum.slice(offset, offset + size).map((value) => value / totalWeight);
    offset += size;
    return tensor;
  });
  // Training metrics arrive in the clear; they are averaged by examples, as in a plain round.
  const byExamples = (pick: (report: ClientReport) => number | undefined) =>
    reports.every((report) => pick(report) !== undefined) ? reports.reduce((total, r) => total + pick(r)! * r.numExamples, 0) / numExamples : undefined;
  const accuracy = byExamples((report) => report.accuracy);
  return {
    clientId: `secure-sum-of-${reports.length}`,
    numExamples,
    participants: reports.length,
    metrics: { loss: byExamples((report) => report.loss)!, ...(accuracy === undefined ? {} : { accuracy }) },
    values: mean,
    l2Norm: l2NormOf(mean),
  };
}
