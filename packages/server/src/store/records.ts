/** Domain records kept by the Store; wire views are derived from them in rest/views.ts. */
import type { ClientCapabilities, RoundMetrics, TensorSpec } from '@shoal/protocol';
import type { CandidateFigures, EdgeArtifact } from '@shoal/edge';
import type { JobConfig } from '../jobs/job-config.js';

export type JobStatus = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'stopped' | 'budget_exhausted';
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
  /** The coordinator restarted during the round: it does not count towards the job's rounds. */
  interrupted?: boolean;
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
  /** When the retention policy dropped its weights (absent while they are kept); byteLength stays what was stored. */
  prunedAt?: number | undefined;
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
  /** What the update weighed in the aggregate (numExamples capped), its L2 norm, and its distance to the aggregate. */
  weight: number | undefined;
  updateNorm: number | undefined;
  distanceToAggregate: number | undefined;
  /** Flagged by the robust z-score of its norm or distance. */
  outlier: boolean | undefined;
}

/** What a credential may do: `admin` acts, `viewer` only reads. */
export type Role = 'admin' | 'viewer';

/** A named API token; only the SHA-256 of its secret is stored (not part of this record). */
export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  /** The principal that created it, or `system` for the bootstrap token. */
  createdBy: string;
  revokedAt: number | undefined;
}

/** An admin-issued join token; only the SHA-256 of its secret is stored. */
export interface JoinTokenRecord {
  id: string;
  hash: string;
  uses: number;
  usesLeft: number;
  expiresAt: number;
  /** Cohort labels every device enrolled with it gets. */
  labels: string[];
  createdAt: number;
  createdBy: string;
  revokedAt: number | undefined;
}

/** An enrolled device: the client id it was given and its Ed25519 public key (base64). */
export interface DeviceRecord {
  clientId: string;
  publicKey: string;
  name: string;
  joinTokenId: string;
  enrolledAt: number;
  revokedAt?: number | undefined;
  revokedBy?: string | undefined;
}

/** A console session: only the SHA-256 of its bearer secret is kept. */
export interface SessionRecord {
  id: string;
  tokenHash: string;
  /** Who the session acts for, e.g. `admin-token:tok-1a2b3c4d`. */
  subject: string;
  createdAt: number;
  expiresAt: number;
}

export type AuditOutcome = 'success' | 'failure';

export interface AuditEntry {
  id: number;
  at: number;
  /** The credential that acted: `session:<id>`, `admin-token:<id>`, or `anonymous`. */
  actor: string;
  action: string;
  target: string | undefined;
  outcome: AuditOutcome;
  errorCode: string | undefined;
  address: string | undefined;
  /** What a system actor decided and why, e.g. the reason of an automatic rollback. */
  detail?: string | undefined;
}

/** What the build considered, kept for the record: the float base, every candidate, what was skipped and where it ran. */
export interface ArtifactBuildReport {
  base: CandidateFigures;
  candidates: CandidateFigures[];
  skipped: string[];
  backend: string;
  buildMs: number;
  /** The request, as validated. */
  settings: Record<string, unknown>;
}

/** A stored artifact: the built artifact (its topology, tensors, weights frame and the chosen candidate's figures), where it came from and the build report. */
export interface ArtifactRecord extends Omit<EdgeArtifact, 'name' | 'base' | 'candidates' | 'skipped'> {
  id: string;
  jobId: string;
  version: number;
  createdAt: number;
  /** The chosen candidate, e.g. `units-25%+sparse-50%+int8-channel`. */
  candidate: string;
  report: ArtifactBuildReport;
}

/** A listing leaves the weights in the database. */
export type ArtifactSummary = Omit<ArtifactRecord, 'weights'>;
