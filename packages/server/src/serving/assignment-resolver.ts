/**
 * Which deployment serves a client: pure rules over the active deployments (canary or serving). The most specific
 * cohort the client belongs to wins (most labels; between equals, the newest); inside a cohort, a canary serves its
 * share of the clients and the cohort's serving deployment the rest.
 */
import { cohortKey, contains, inCanary, isMember } from './cohort.js';
import type { Deployment } from './deployment.js';

export type ActiveDeployment = Pick<Deployment, 'id' | 'cohort' | 'status' | 'canary' | 'createdAt'>;

export interface ResolvedAssignment {
  deploymentId: string;
  canary: boolean;
}

const newestFirst = (a: ActiveDeployment, b: ActiveDeployment) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** The cohort's serving deployment and its canary in progress, if any. */
export function cohortState(cohort: readonly string[], active: readonly ActiveDeployment[]): { serving?: ActiveDeployment; canary?: ActiveDeployment } {
  const key = cohortKey(cohort);
  const own = active.filter((deployment) => cohortKey(deployment.cohort) === key).sort(newestFirst);
  const serving = own.find((deployment) => deployment.status === 'serving');
  const canary = own.find((deployment) => deployment.status === 'canary');
  return { ...(serving === undefined ? {} : { serving }), ...(canary === undefined ? {} : { canary }) };
}

export function resolveAssignment(client: { id: string; labels: readonly string[] | undefined }, active: readonly ActiveDeployment[]): ResolvedAssignment | undefined {
  const cohorts = new Map<string, readonly string[]>();
  for (const deployment of active) if (isMember(client.labels, deployment.cohort)) cohorts.set(cohortKey(deployment.cohort), deployment.cohort);
  let best: { assignment: ResolvedAssignment; labels: number; createdAt: number } | undefined;
  for (const cohort of cohorts.values()) {
    const { serving, canary } = cohortState(cohort, active);
    const pick =
      canary !== undefined && canary.canary !== undefined && inCanary(client.id, canary.id, canary.canary.percent)
        ? { assignment: { deploymentId: canary.id, canary: true }, createdAt: canary.createdAt }
        : serving === undefined
          ? undefined
          : { assignment: { deploymentId: serving.id, canary: false }, createdAt: serving.createdAt };
    if (pick === undefined) continue;
    if (best === undefined || cohort.length > best.labels || (cohort.length === best.labels && pick.createdAt > best.createdAt)) {
      best = { ...pick, labels: cohort.length };
    }
  }
  return best?.assignment;
}

/**
 * What a cohort's clients are served without a new deployment: its own serving deployment, or else the serving
 * deployment of the most specific cohort containing it. A canary compares against it and falls back to it.
 */
export function baselineFor(cohort: readonly string[], active: readonly ActiveDeployment[], excludeId?: string): ActiveDeployment | undefined {
  return active
    .filter((deployment) => deployment.status === 'serving' && deployment.id !== excludeId && contains(deployment.cohort, cohort))
    .sort((a, b) => b.cohort.length - a.cohort.length || newestFirst(a, b))[0];
}
