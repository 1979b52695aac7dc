/** The domain records of edge serving: deployments, their history, client assignments and telemetry windows. */
import type { CanaryPolicy } from '@shoal/protocol';

export type DeploymentStatus = 'canary' | 'serving' | 'superseded' | 'rolled_back';

/** The input histogram (16 bins over [0, 1]) and predicted class counts of the model on the coordinator's held-out data. */
export interface ReferenceProfile {
  examples: number;
  inputHistogram: number[];
  classCounts: number[];
}

export interface Deployment {
  id: string;
  jobId: string;
  version: number;
  artifactId: string | undefined;
  /** Normalized (sorted, unique). */
  cohort: string[];
  canary: CanaryPolicy | undefined;
  status: DeploymentStatus;
  statusReason: string | undefined;
  /** What the cohort served before: the canary's baseline and fallback. */
  previousDeploymentId: string | undefined;
  telemetryIntervalMs: number;
  driftThreshold: number;
  reference: ReferenceProfile | undefined;
  /** Output classes of the model: the length every telemetry report's classCounts must have. */
  numClasses: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface DeploymentEvent {
  deploymentId: string;
  at: number;
  status: DeploymentStatus;
  /** The credential, or `system:rollout` for automatic decisions. */
  actor: string;
  reason: string | undefined;
}

export interface Assignment {
  clientId: string;
  deploymentId: string;
  canary: boolean;
  assignedAt: number;
}

export interface TelemetryWindow {
  deploymentId: string;
  clientId: string;
  windowStartMs: number;
  windowEndMs: number;
  receivedAt: number;
  requests: number;
  errors: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  classCounts: number[];
  inputHistogram: number[];
  inputMean: number;
  inputStd: number;
  labelledCount: number;
  labelledCorrect: number;
}

export const SYSTEM_ROLLOUT_ACTOR = 'system:rollout';
export const INPUT_HISTOGRAM_BINS = 16;
