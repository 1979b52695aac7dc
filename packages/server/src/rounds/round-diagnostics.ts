/**
 * What the aggregation saw of each accepted update — its weight, norm and distance to the aggregate — turned into
 * contribution records and outlier flags (a robust z-score of the norm or of the distance above the job's
 * threshold), and the round's summary of them. Pure.
 */
import type { RoundMetrics } from '@shoal/protocol';
import { outlierFlags, type UpdateDiagnostics } from '@shoal/strategy';
import type { ContributionPatch } from '../store/store.js';

export interface FlaggedRound {
  contributions: { clientId: string; patch: ContributionPatch }[];
  metrics: Pick<RoundMetrics, 'outliers' | 'updateNormMedian'>;
  outlierIds: string[];
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function flagRound(diagnostics: readonly UpdateDiagnostics[], threshold: number): FlaggedRound {
  const norms = diagnostics.map((d) => d.updateNorm);
  const byNorm = outlierFlags(norms, threshold);
  const measured = diagnostics.filter((d) => d.distanceToAggregate !== undefined);
  const byDistance = outlierFlags(measured.map((d) => d.distanceToAggregate!), threshold);
  const distanceOutliers = new Set(measured.filter((_, i) => byDistance[i]).map((d) => d.clientId));
  const contributions = diagnostics.map((d, i) => {
    const outlier = byNorm[i] === true || distanceOutliers.has(d.clientId);
    const patch: ContributionPatch = { weight: d.weight, updateNorm: d.updateNorm, outlier };
    if (d.distanceToAggregate !== undefined) patch.distanceToAggregate = d.distanceToAggregate;
    return { clientId: d.clientId, patch };
  });
  const outlierIds = contributions.filter((c) => c.patch.outlier === true).map((c) => c.clientId);
  const normMedian = median(norms);
  return { contributions, outlierIds, metrics: { outliers: outlierIds.length, ...(normMedian === undefined ? {} : { updateNormMedian: normMedian }) } };
}
