/**
 * The canary rule, as a pure function of the policy and the evidence: roll back on a p99 latency or on-device accuracy
 * regression once there are enough reports; serve the whole cohort once the observation time passed without one.
 */
import type { CanaryPolicy } from '@shoal/protocol';
import type { TelemetryRollup } from './telemetry-rollup.js';

export interface CanaryEvidence {
  startedAt: number;
  now: number;
  /** The canary clients' windows of the canary deployment. */
  canary: TelemetryRollup;
  /** The previous deployment's windows from clients of the same cohort, when there are any. */
  baseline: TelemetryRollup | undefined;
  /** The previous deployment's accuracy on the coordinator's held-out set: the fallback baseline for maxAccuracyDrop. */
  baselineCentralAccuracy: number | undefined;
}

export type CanaryDecision = { action: 'wait'; reason: string } | { action: 'promote'; reason: string } | { action: 'rollback'; reason: string };

const ms = (value: number) => `${value.toFixed(1)} ms`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The first regression the evidence shows, as a sentence; undefined when there is none. */
export function findRegression(policy: CanaryPolicy, evidence: CanaryEvidence): string | undefined {
  const p99 = evidence.canary.latencyMs?.p99;
  if (p99 !== undefined && policy.maxP99Ms !== undefined && p99 > policy.maxP99Ms) {
    return `canary p99 latency ${ms(p99)} is above maxP99Ms ${ms(policy.maxP99Ms)}`;
  }
  const baselineP99 = evidence.baseline?.latencyMs?.p99;
  if (p99 !== undefined && baselineP99 !== undefined && baselineP99 > 0 && policy.maxP99Ratio !== undefined && p99 > policy.maxP99Ratio * baselineP99) {
    return `canary p99 latency ${ms(p99)} is ${(p99 / baselineP99).toFixed(2)}x the previous deployment's ${ms(baselineP99)}, above maxP99Ratio ${policy.maxP99Ratio}`;
  }
  const accuracy = evidence.canary.accuracy;
  if (accuracy !== undefined && policy.minAccuracy !== undefined && accuracy < policy.minAccuracy) {
    return `canary on-device accuracy ${percent(accuracy)} is below minAccuracy ${percent(policy.minAccuracy)}`;
  }
  const baselineAccuracy = evidence.baseline?.accuracy ?? evidence.baselineCentralAccuracy;
  if (accuracy !== undefined && baselineAccuracy !== undefined && policy.maxAccuracyDrop !== undefined && baselineAccuracy - accuracy > policy.maxAccuracyDrop) {
    return `canary on-device accuracy ${percent(accuracy)} is ${percent(baselineAccuracy - accuracy)} below the previous deployment's ${percent(baselineAccuracy)}, more than maxAccuracyDrop ${percent(policy.maxAccuracyDrop)}`;
  }
  return undefined;
}

export function decideCanary(policy: CanaryPolicy, evidence: CanaryEvidence): CanaryDecision {
  const { reports } = evidence.canary;
  if (reports < policy.minReports) return { action: 'wait', reason: `${reports} of ${policy.minReports} canary reports` };
  const regression = findRegression(policy, evidence);
  if (regression !== undefined) return { action: 'rollback', reason: regression };
  const observeUntil = evidence.startedAt + policy.observeMs;
  if (evidence.now < observeUntil) return { action: 'wait', reason: `observing until ${new Date(observeUntil).toISOString()}` };
  return { action: 'promote', reason: `canary passed: ${reports} reports over ${Math.round((evidence.now - evidence.startedAt) / 1000)} s without regression` };
}
