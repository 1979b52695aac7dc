/**
 * Drift against the reference recorded at promotion: PSI of the input histogram and of the predicted class
 * distribution, per client (its windows summed) and for the cohort (every client's windows summed).
 */
import { populationStabilityIndex } from '@shoal/edge';
import type { ReferenceProfile, TelemetryWindow } from './deployment.js';

export interface DriftScores {
  inputPsi: number | undefined;
  classPsi: number | undefined;
}

export interface ClientDriftScores extends DriftScores {
  clientId: string;
  windows: number;
  inputMean: number | undefined;
  flagged: boolean;
}

export interface DriftReport {
  cohort: DriftScores & { clients: number; flagged: boolean; flaggedClients: number };
  /** Flagged clients first, then by the larger PSI, descending. */
  clients: ClientDriftScores[];
}

function sumInto(target: number[], counts: readonly number[]): void {
  counts.forEach((count, i) => (target[i] = (target[i] ?? 0) + count));
}

const total = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

/** PSI of `actual` against `expected`; undefined when either side is empty or their lengths differ. */
function psiOrUndefined(expected: readonly number[], actual: readonly number[]): number | undefined {
  if (expected.length !== actual.length || total(expected) <= 0 || total(actual) <= 0) return undefined;
  return Math.max(0, populationStabilityIndex(expected, actual));
}

export function driftScores(reference: ReferenceProfile | undefined, windows: readonly TelemetryWindow[]): DriftScores & { inputMean: number | undefined } {
  const histogram: number[] = [];
  const classes: number[] = [];
  let meanWeight = 0;
  let meanSum = 0;
  for (const window of windows) {
    sumInto(histogram, window.inputHistogram);
    sumInto(classes, window.classCounts);
    const values = total(window.inputHistogram);
    meanSum += window.inputMean * values;
    meanWeight += values;
  }
  return {
    inputPsi: reference === undefined ? undefined : psiOrUndefined(reference.inputHistogram, histogram),
    classPsi: reference === undefined ? undefined : psiOrUndefined(reference.classCounts, classes),
    inputMean: meanWeight === 0 ? undefined : meanSum / meanWeight,
  };
}

const over = (scores: DriftScores, threshold: number) => (scores.inputPsi ?? 0) > threshold || (scores.classPsi ?? 0) > threshold;
const worst = (scores: DriftScores) => Math.max(scores.inputPsi ?? -1, scores.classPsi ?? -1);

export function driftReport(reference: ReferenceProfile | undefined, windows: readonly TelemetryWindow[], threshold: number): DriftReport {
  const byClient = new Map<string, TelemetryWindow[]>();
  for (const window of windows) {
    const list = byClient.get(window.clientId);
    if (list === undefined) byClient.set(window.clientId, [window]);
    else list.push(window);
  }
  const clients = [...byClient].map(([clientId, own]): ClientDriftScores => {
    const scores = driftScores(reference, own);
    return { clientId, windows: own.length, ...scores, flagged: over(scores, threshold) };
  });
  clients.sort((a, b) => Number(b.flagged) - Number(a.flagged) || worst(b) - worst(a) || (a.clientId < b.clientId ? -1 : 1));
  const { inputPsi, classPsi } = driftScores(reference, windows);
  const cohort = { inputPsi, classPsi };
  return {
    cohort: { ...cohort, clients: clients.length, flagged: over(cohort, threshold), flaggedClients: clients.filter((client) => client.flagged).length },
    clients,
  };
}
