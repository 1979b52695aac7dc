/** Cohorts (label sets that select clients) and the deterministic canary share of a deployment. */
import { createHash } from 'node:crypto';

/** Sorted, without duplicates: two spellings of one cohort are the same cohort. */
export function normalizeCohort(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort();
}

/** A stable key for a normalized cohort, e.g. for grouping deployments. */
export function cohortKey(cohort: readonly string[]): string {
  return JSON.stringify(normalizeCohort(cohort));
}

/** A client belongs to a cohort when it has every one of the cohort's labels; every client belongs to []. */
export function isMember(labels: readonly string[] | undefined, cohort: readonly string[]): boolean {
  if (cohort.length === 0) return true;
  const own = new Set(labels ?? []);
  return cohort.every((label) => own.has(label));
}

/** Whether every client of `outer` also belongs to `inner` (inner's labels are a subset of outer's). */
export function contains(inner: readonly string[], outer: readonly string[]): boolean {
  return isMember(outer, inner);
}

/** Where a client falls in [0, 1) for a deployment: a hash, so the canary share is stable across restarts and reconnects. */
export function canaryPosition(clientId: string, deploymentId: string): number {
  const digest = createHash('sha256').update(`${deploymentId}\0${clientId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function inCanary(clientId: string, deploymentId: string, percent: number): boolean {
  return canaryPosition(clientId, deploymentId) < percent / 100;
}
