/** Domain records kept by the Store; wire views are derived from them in rest/views.ts. */
import type { ClientCapabilities, RoundMetrics, TensorSpec } from '@shoal/protocol';
import type { JobConfig } from '../job-config.js';

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped';
export type RoundStatus = 'running' | 'completed' | 'failed';
export type ContributionStatus = 'selected' | 'accepted' | 'rejected' | 'failed' | 'late' | 'dropped';

export interface ClientRecord {
  id: string;
  name: string;
  capabilities: ClientCapabilities;
  firstSeenAt: number;
  lastSeenAt: number;
}

export interface JobRecord {
  id: string;
  name: string;
  status: JobStatus;
  statusReason: string | undefined;
  config: JobConfig;
  topology: Record<string, unknown>;
  tensorSpecs: TensorSpec[];
  createdAt: number;
  updatedAt: number;
  currentRound: number;
  latestVersion: number;
  bytesUp: number;
  bytesDown: number;
}

export interface RoundRecord {
  jobId: string;
  round: number;
  status: RoundStatus;
  statusReason: string | undefined;
  startedAt: number;
  endedAt: number | undefined;
  deadlineAt: number | undefined;
  selected: number;
  reported: number;
  failed: number;
  modelVersion: number | undefined;
  metrics: RoundMetrics;
}

export interface ModelVersionRecord {
  jobId: string;
  version: number;
  round: number | undefined;
  parentVersion: number | undefined;
  createdAt: number;
  byteLength: number;
  centralAccuracy: number | undefined;
  centralLoss: number | undefined;
}

export interface ContributionRecord {
  jobId: string;
  round: number;
  clientId: string;
  status: ContributionStatus;
  errorCode: string | undefined;
  numExamples: number | undefined;
  bytesUp: number;
  bytesDown: number;
  loss: number | undefined;
  accuracy: number | undefined;
  durationMs: number | undefined;
}
