/**
 * What the coordinator keeps, as ports: the flat ones (jobs, rounds, contributions, model versions, clients) and the
 * record groups reached as sub-objects (admin, devices, serving, strategy states, artifacts, client retention).
 * SqliteStore and PostgresStore implement it; the contract in testing/store-contract.ts is what every one must pass.
 */
import type { RoundMetrics } from '@shoal/protocol';
import type { StrategyState } from '@shoal/strategy';
import type { RetentionPolicy } from '../jobs/job-config.js';
import type { Assignment, Deployment, DeploymentEvent, DeploymentStatus, TelemetryWindow } from '../serving/deployment.js';
import type {
  ApiTokenRecord,
  ArtifactRecord,
  ArtifactSummary,
  AuditEntry,
  ClientRecord,
  ContributionRecord,
  ContributionStatus,
  DeviceRecord,
  JobRecord,
  JobStatus,
  JoinTokenRecord,
  ModelVersionRecord,
  RoundRecord,
  SessionRecord,
} from './records.js';
import { CLIENT_SORT_KEYS } from './store-shapes.js';
import type { NewModelVersion, ContributionPatch, ClientSortKey, ClientQuery, RecentContribution, StatusChange, KeysetPage, StorePage, RoundClose, JobLease, LeasesPort, ContributionChangeRow, BytesDownRow } from './store-shapes.js';

export { CLIENT_SORT_KEYS };
export type { NewModelVersion, ContributionPatch, ClientSortKey, ClientQuery, RecentContribution, StatusChange, KeysetPage, StorePage, RoundClose, JobLease, LeasesPort, ContributionChangeRow, BytesDownRow };

export interface JobsPort {
  /** Stores a new job and its version 0, in one transaction. */
  insertJob(job: JobRecord, initial: NewModelVersion): void;
  getJob(id: string): JobRecord | undefined;
  /** Oldest first (created_at, then id). */
  listJobs(): JobRecord[];
  setJobStatus(id: string, status: JobStatus, reason: string | undefined, at: number): void;
}

export interface RoundsPort {
  /** Opens (or re-opens) a round with one `selected` contribution per client, and moves the job's currentRound to it. */
  startRound(round: RoundRecord, clientIds: readonly string[]): void;
  /**
   * Closes a round; with a version, the version, the round and the job's latestVersion change together. Its work must
   * not grow with the job's history: job bytes are kept as contributions change (updateContribution, addBytesDown).
   */
  finishRound(round: RoundClose, version: NewModelVersion | undefined): void;
  /** Replaces the round's metrics. */
  updateRoundMetrics(jobId: string, round: number, metrics: RoundMetrics): void;
  getRound(jobId: string, round: number): RoundRecord | undefined;
  /** How many of the job's rounds have this status. */
  countRounds(jobId: string, status: RoundRecord['status']): number;
  /** By round number. */
  listRounds(jobId: string): RoundRecord[];
  /** The job's newest round with this status and/or this metric present (read backwards from the newest, not the whole history). */
  latestRound(jobId: string, where: LatestRoundFilter): RoundRecord | undefined;
  /** The job's rounds numbered above `page.after`, by round number; its work is bounded by the page, not the history. */
  pageRounds(jobId: string, page: KeysetPage<number>): StorePage<RoundRecord>;
  /** Fails the job's running rounds, drops their `selected`/`accepted` contributions with `errorCode`; returns how many rounds. */
  failOpenRounds(jobId: string, reason: string, at: number, options?: { interrupted?: boolean; errorCode?: string }): number;
}

/** Which round latestRound looks for; `metric` is a key of the round's metrics. */
export interface LatestRoundFilter {
  status?: RoundRecord['status'];
  metric?: 'centralAccuracy' | 'federatedAccuracy' | 'epsilon';
}

export interface ContributionsPort {
  /** Applies a patch to one contribution (its `bytesUp` also adds to the job's bytesUp); an unknown (job, round, client) changes nothing. */
  updateContribution(jobId: string, round: number, clientId: string, patch: ContributionPatch): void;
  /** Adds downloaded bytes to one contribution and to its job's bytesDown; an unknown contribution changes nothing. */
  addBytesDown(jobId: string, round: number, clientId: string, bytes: number): void;
  /** updateContribution for each change, in one transaction (one round trip on PostgreSQL). */
  updateContributions(jobId: string, round: number, changes: readonly ContributionChangeRow[]): void;
  /** addBytesDown for each row, in one transaction. */
  addBytesDownRows(jobId: string, rows: readonly BytesDownRow[]): void;
  /** The round's contributions by client id. */
  listContributions(jobId: string, round: number): ContributionRecord[];
  /** The round's contributions with client ids above `page.after` (byte-wise), by client id. */
  pageContributions(jobId: string, round: number, page: KeysetPage<string>): StorePage<ContributionRecord>;
}

export interface VersionsPort {
  /** Records the central evaluation of a stored version. */
  setVersionEvaluation(jobId: string, version: number, accuracy: number, loss: number): void;
  /** By version number, without weights. */
  listVersions(jobId: string): ModelVersionRecord[];
  /** The job's versions numbered above `page.after`, by version number, without weights. */
  pageVersions(jobId: string, page: KeysetPage<number>): StorePage<ModelVersionRecord>;
  getVersion(jobId: string, version: number): ModelVersionRecord | undefined;
  /** The version's weights frame, exactly as stored; undefined when there is no such version or its weights were pruned. */
  getVersionWeights(jobId: string, version: number): Uint8Array | undefined;
  /**
   * Applies the job's retention policy: every version not kept loses its weights and strategy state (its row stays,
   * with `prunedAt`). Kept: version 0, the job's latestVersion and the `keepLast` before it (versions > latest −
   * keepLast), every version divisible by `keepEvery`, any version a deployment (of any status) or an edge artifact
   * names, and `pinned`. Returns the versions pruned by this call, ascending. Its work is bounded by the versions
   * still kept, not by the job's history.
   */
  pruneVersions(jobId: string, policy: RetentionPolicy, pinned: readonly number[], at: number): number[];
}

export interface ClientsPort {
  /**
   * Inserts a client, or updates its name, capabilities and lastSeenAt (firstSeenAt is kept). Returns whether the row
   * is new, so a hello learns it from this one write instead of a read before it (fleet-session.ts).
   */
  upsertClient(client: ClientRecord): boolean;
  /**
   * Sets a client's lastSeenAt. May be written behind (both stores batch touches into one write at most 5 s later, and
   * at close), but every read through the same store sees it at once; another node's store sees it once written.
   */
  touchClient(id: string, at: number): void;
  getClient(id: string): ClientRecord | undefined;
  /** By id. */
  listClients(): ClientRecord[];
  /** Accepted contributions per client id (clients with none are absent). */
  contributionCounts(): Map<string, number>;
  /** One page of clients matching the query, each with its accepted-contribution count, and the number matching. */
  queryClients(query: ClientQuery): { items: { client: ClientRecord; contributions: number }[]; total: number };
  /** The `perClient` most recent contributions of each client, newest first; every asked id is a key. */
  recentContributions(clientIds: readonly string[], perClient: number): Map<string, RecentContribution[]>;
  countClients(): number;
}

export interface TokensPort {
  /** The unrevoked bootstrap admin token (configured with --admin-token or generated at first start). */
  bootstrapToken(): { id: string; tokenHash: string } | undefined;
  /** Replaces the bootstrap token and ends the sessions opened with the previous one; named tokens are kept. */
  replaceBootstrapToken(id: string, tokenHash: string, at: number): void;
  insertApiToken(token: Omit<ApiTokenRecord, 'revokedAt'> & { tokenHash: string }): void;
  /** The unrevoked token with this hash. */
  findApiToken(tokenHash: string): ApiTokenRecord | undefined;
  getApiToken(id: string): ApiTokenRecord | undefined;
  /** Oldest first. */
  listApiTokens(): ApiTokenRecord[];
  /** Unrevoked tokens with role admin. */
  countActiveAdminTokens(): number;
  /** Revokes a token and ends the sessions opened with it. */
  revokeApiToken(id: string, at: number): void;
}

export interface SessionsPort {
  insertSession(session: SessionRecord): void;
  /** The unexpired session whose secret has this hash. */
  findSession(tokenHash: string, now: number): SessionRecord | undefined;
  deleteSession(id: string): void;
  /** Deletes sessions expiring at or before `now`; returns how many. */
  deleteExpiredSessions(now: number): number;
}

export interface AuditPort {
  /** Appends an entry and returns it with its id (ids increase). */
  appendAudit(entry: Omit<AuditEntry, 'id'>): AuditEntry;
  /** Newest first; `before` pages backwards by entry id; `total` counts every entry. */
  listAudit(options: { limit: number; before?: number | undefined }): { items: AuditEntry[]; total: number };
}

/** API tokens (hashes only), console sessions and the audit log. */
export interface AdminPort extends TokensPort, SessionsPort, AuditPort {}

/** Join tokens (hashes only), enrolled devices with their keys, and accepted payload hashes. */
export interface DevicesPort {
  insertJoinToken(token: JoinTokenRecord): void;
  getJoinToken(id: string): JoinTokenRecord | undefined;
  /** Oldest first. */
  listJoinTokens(): JoinTokenRecord[];
  /** Revokes a join token; the first revocation time is kept. */
  revokeJoinToken(id: string, at: number): void;
  /** Uses one use of the join token and records the device atomically; false (nothing changed) when no use is left, expired or revoked. */
  enrol(device: DeviceRecord, now: number): boolean;
  getDevice(clientId: string): DeviceRecord | undefined;
  findDeviceByKey(publicKey: string): DeviceRecord | undefined;
  /** By enrolment time, then client id. */
  listDevices(): DeviceRecord[];
  /** Revokes a device; the first revocation is kept. */
  revokeDevice(clientId: string, at: number, by: string): void;
  /** Remembers the hash of a contribution's accepted signed payload. */
  recordPayload(jobId: string, round: number, clientId: string, payloadSha256: string): void;
  /** Whether the client's contributions to this job carry this payload hash. */
  payloadSeen(jobId: string, clientId: string, payloadSha256: string): boolean;
}

/** Deployments and their history, each client's current assignment, and bounded telemetry windows. */
export interface ServingPort {
  /** Inserts a deployment, its first history entry and the status changes it causes, in one transaction. */
  insertDeployment(deployment: Deployment, changes: readonly StatusChange[]): void;
  /** Changes the status of several deployments at once, each with a history entry. */
  changeStatus(changes: readonly StatusChange[], actor: string, at: number): void;
  get(id: string): Deployment | undefined;
  /** Newest first, optionally only one job's or one status's. */
  list(filter?: { jobId?: string | undefined; status?: DeploymentStatus | undefined }): Deployment[];
  /** Deployments serving clients now (canary or serving), newest first. */
  active(): Deployment[];
  /** A deployment's status changes, oldest first. */
  history(deploymentId: string): DeploymentEvent[];
  assignment(clientId: string): Assignment | undefined;
  allAssignments(): Map<string, Assignment>;
  /** Writes assignments and removes the clients in `removed`, in one transaction. */
  saveAssignments(assignments: readonly Assignment[], removed?: readonly string[]): void;
  assignedClients(deploymentId: string): { clientId: string; canary: boolean }[];
  /** Stores one window and drops the client's windows beyond the newest `keep`. */
  insertWindow(window: TelemetryWindow, keep: number): void;
  /** A deployment's windows, oldest first. */
  windows(deploymentId: string): TelemetryWindow[];
}

/** What a job's strategy carries between rounds, one state per model version. */
export interface StrategyStatesPort {
  /** Stores (or replaces) the state kept with `version`. */
  save(jobId: string, version: number, state: StrategyState): void;
  /** The state stored with `version`, or undefined when the strategy kept none. */
  load(jobId: string, version: number): StrategyState | undefined;
  /** Drops the job's states of versions before `version`. */
  pruneBefore(jobId: string, version: number): void;
}

/** Edge-optimised artifacts built from model versions. */
export interface ArtifactsPort {
  insert(artifact: ArtifactRecord): void;
  /** The artifact with its weights frame. */
  get(id: string): ArtifactRecord | undefined;
  /** Oldest first, without weights; only the job's when `jobId` is given. */
  list(filter?: { jobId?: string | undefined }): ArtifactSummary[];
  count(): number;
}

/** Bounds and expires the rows of unenrolled clients (enrolled devices are never touched). */
export interface ClientRetentionPort {
  /** Clients without a device row. */
  unenrolledCount(): number;
  /** Deletes unenrolled clients unseen since `before`, then the least recently seen beyond `keepAtMost`, never online ones; returns how many. */
  prune(options: { before: number; keepAtMost: number; isOnline: (id: string) => boolean }): number;
}

export interface Store extends JobsPort, RoundsPort, ContributionsPort, VersionsPort, ClientsPort {
  readonly admin: AdminPort;
  readonly devices: DevicesPort;
  readonly serving: ServingPort;
  readonly strategyStates: StrategyStatesPort;
  readonly artifacts: ArtifactsPort;
  readonly clientRetention: ClientRetentionPort;
  /**
   * Per-job leases with fencing tokens, for several coordinator nodes on one database (PostgresStore with
   * `cluster: true`); absent on stores that only one process may use.
   */
  readonly leases?: LeasesPort;
  /** Writes what is pending (batched touches) and releases the store; nothing may be called after. */
  close(): void;
}
