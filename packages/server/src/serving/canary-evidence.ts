/** Gathers what the canary rule decides on: the canary's telemetry, and the previous deployment's from the same cohort. */
import type { Store } from '../store/store.js';
import type { CanaryEvidence } from './canary-decision.js';
import { isMember } from './cohort.js';
import type { Deployment } from './deployment.js';
import { rollUpTelemetry } from './telemetry-rollup.js';

export function canaryEvidence(store: Store, deployment: Deployment, now: number): CanaryEvidence {
  const previous = deployment.previousDeploymentId === undefined ? undefined : store.serving.get(deployment.previousDeploymentId);
  const labels = new Map<string, readonly string[] | undefined>();
  const inCohort = (clientId: string) => {
    if (!labels.has(clientId)) labels.set(clientId, store.getClient(clientId)?.capabilities.labels);
    return isMember(labels.get(clientId), deployment.cohort);
  };
  const baselineWindows = previous === undefined ? [] : store.serving.windows(previous.id).filter((window) => inCohort(window.clientId));
  return {
    startedAt: deployment.createdAt,
    now,
    canary: rollUpTelemetry(store.serving.windows(deployment.id)),
    baseline: baselineWindows.length === 0 ? undefined : rollUpTelemetry(baselineWindows),
    baselineCentralAccuracy: previous === undefined ? undefined : store.getVersion(previous.jobId, previous.version)?.centralAccuracy,
  };
}
