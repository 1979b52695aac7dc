/** The default Store: one SQLite file (WAL) holding clients, jobs, rounds, model versions and contributions. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RoundMetrics } from '@shoal/protocol';
import { MIGRATIONS } from './migrations.js';
import { AdminRecords } from './admin-records.js';
import { ArtifactRecords } from './artifact-records.js';
import { ServingRecords } from './serving-records.js';
import { DeviceRecords } from './device-records.js';
import { type Row } from './row-values.js';
import { contributionFromRow, jobFromRow, roundFromRow, versionFromRow } from './row-mappers.js';
import { countClients, queryClients, recentContributions, type ClientQuery, type RecentContribution } from './client-query.js';
import { StrategyStateRecords } from './strategy-state-records.js';
import { ClientRetention } from './client-retention.js';
import type {
  ClientRecord,
  ContributionRecord,
  ContributionStatus,
  JobRecord,
  JobStatus,
  ModelVersionRecord,
  RoundRecord,
} from './records.js';


export interface NewModelVersion {
  version: number;
  round: number | undefined;
  parentVersion: number | undefined;
  createdAt: number;
  weights: Uint8Array;
  centralAccuracy?: number | undefined;
  centralLoss?: number | undefined;
}

export interface ContributionPatch {
  status?: ContributionStatus;
  errorCode?: string;
  numExamples?: number;
  bytesUp?: number;
  loss?: number;
  accuracy?: number;
  durationMs?: number;
  weight?: number;
  updateNorm?: number;
  distanceToAggregate?: number;
  outlier?: boolean;
  /** Clears an earlier refusal's code (the upload was accepted on a retry). */
  clearErrorCode?: boolean;
}

export class SqliteStore {
  private readonly db: Database.Database;
  /** Admin token hash, console sessions and the audit log. */
  readonly admin: AdminRecords;
  /** What a job's strategy carries between rounds, per model version (issue #12). */
  readonly strategyStates: StrategyStateRecords;
  /** Bounds and expires the rows of unenrolled clients. */
  readonly clientRetention: ClientRetention;
  /** Edge-optimised artifacts built from model versions (issue #8). */
  readonly artifacts: ArtifactRecords;
  /** Deployments, client assignments and telemetry windows (edge serving). */
  readonly serving: ServingRecords;
  /** Join tokens, enrolled devices and accepted payload hashes (identity). */
  readonly devices: DeviceRecords;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.admin = new AdminRecords(this.db);
    this.artifacts = new ArtifactRecords(this.db);
    this.serving = new ServingRecords(this.db);
    this.devices = new DeviceRecords(this.db);
    this.strategyStates = new StrategyStateRecords(this.db);
    this.clientRetention = new ClientRetention(this.db);
  }

  private migrate(): void {
    const current = Number(this.db.pragma('user_version', { simple: true }));
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  // Clients
  upsertClient(client: ClientRecord): void {
    this.db
      .prepare(
        `INSERT INTO clients (id, name, capabilities, first_seen_at, last_seen_at) VALUES (@id, @name, @capabilities, @firstSeenAt, @lastSeenAt)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, last_seen_at = excluded.last_seen_at`,
      )
      .run({ ...client, capabilities: JSON.stringify(client.capabilities) });
  }

  touchClient(id: string, at: number): void {
    this.db.prepare('UPDATE clients SET last_seen_at = ? WHERE id = ?').run(at, id);
  }

  getClient(id: string): ClientRecord | undefined {
    const row = this.db.prepare('SELECT * FROM clients WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : this.clientFromRow(row);
  }

  listClients(): ClientRecord[] {
    return (this.db.prepare('SELECT * FROM clients ORDER BY id').all() as Row[]).map((row) => this.clientFromRow(row));
  }

  contributionCounts(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT client_id, COUNT(*) AS n FROM contributions WHERE status = 'accepted' GROUP BY client_id`)
      .all() as Row[];
    return new Map(rows.map((row) => [String(row['client_id']), Number(row['n'])]));
  }

  /** One page of clients matching the query, each with its accepted-contribution count, and the number matching. */
  queryClients(query: ClientQuery): { items: { client: ClientRecord; contributions: number }[]; total: number } {
    const { rows, total } = queryClients(this.db, query);
    return { items: rows.map((row) => ({ client: this.clientFromRow(row), contributions: Number(row['contributions']) })), total };
  }

  recentContributions(clientIds: readonly string[], perClient: number): Map<string, RecentContribution[]> {
    return recentContributions(this.db, clientIds, perClient);
  }

  countClients(): number {
    return countClients(this.db);
  }

  private clientFromRow(row: Row): ClientRecord {
    return {
      id: String(row['id']),
      name: String(row['name']),
      capabilities: JSON.parse(String(row['capabilities'])),
      firstSeenAt: Number(row['first_seen_at']),
      lastSeenAt: Number(row['last_seen_at']),
    };
  }

  // Jobs
  insertJob(job: JobRecord, initial: NewModelVersion): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO jobs (id, name, status, status_reason, config, topology, tensor_specs, created_at, updated_at, current_round, latest_version, bytes_up, bytes_down)
           VALUES (@id, @name, @status, @statusReason, @config, @topology, @tensorSpecs, @createdAt, @updatedAt, @currentRound, @latestVersion, @bytesUp, @bytesDown)`,
        )
        .run({
          ...job,
          statusReason: job.statusReason ?? null,
          config: JSON.stringify(job.config),
          topology: JSON.stringify(job.topology),
          tensorSpecs: JSON.stringify(job.tensorSpecs),
        });
      this.insertVersion(job.id, initial);
    })();
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : jobFromRow(row);
  }

  listJobs(): JobRecord[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY created_at, id').all() as Row[]).map(jobFromRow);
  }

  setJobStatus(id: string, status: JobStatus, reason: string | undefined, at: number): void {
    this.db.prepare('UPDATE jobs SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?').run(status, reason ?? null, at, id);
  }

  // Rounds
  startRound(round: RoundRecord, clientIds: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO rounds (job_id, round, status, status_reason, started_at, ended_at, deadline_at, selected, reported, failed, model_version, metrics)
           VALUES (?, ?, ?, NULL, ?, NULL, ?, ?, 0, 0, NULL, '{}')
           ON CONFLICT(job_id, round) DO UPDATE SET status = excluded.status, status_reason = NULL, started_at = excluded.started_at,
             ended_at = NULL, deadline_at = excluded.deadline_at, selected = excluded.selected, reported = 0, failed = 0, model_version = NULL, metrics = '{}'`,
        )
        .run(round.jobId, round.round, round.status, round.startedAt, round.deadlineAt ?? null, clientIds.length);
      this.db.prepare('DELETE FROM contributions WHERE job_id = ? AND round = ?').run(round.jobId, round.round);
      const insert = this.db.prepare(
        `INSERT INTO contributions (job_id, round, client_id, status, updated_at) VALUES (?, ?, ?, 'selected', ?)`,
      );
      for (const clientId of clientIds) insert.run(round.jobId, round.round, clientId, round.startedAt);
      this.db.prepare('UPDATE jobs SET current_round = ?, updated_at = ? WHERE id = ?').run(round.round, round.startedAt, round.jobId);
    })();
  }

  /** Closes a round; when it produced a model, the version, the round and the job's pointer change in one transaction. */
  finishRound(
    round: Pick<RoundRecord, 'jobId' | 'round' | 'status' | 'statusReason' | 'endedAt' | 'reported' | 'failed' | 'metrics'>,
    version: NewModelVersion | undefined,
  ): void {
    this.db.transaction(() => {
      if (version !== undefined) this.insertVersion(round.jobId, version);
      this.db
        .prepare(
          `UPDATE rounds SET status = ?, status_reason = ?, ended_at = ?, reported = ?, failed = ?, model_version = ?, metrics = ? WHERE job_id = ? AND round = ?`,
        )
        .run(
          round.status,
          round.statusReason ?? null,
          round.endedAt ?? null,
          round.reported,
          round.failed,
          version?.version ?? null,
          JSON.stringify(round.metrics),
          round.jobId,
          round.round,
        );
      const bytes = this.db
        .prepare('SELECT COALESCE(SUM(bytes_up), 0) AS up, COALESCE(SUM(bytes_down), 0) AS down FROM contributions WHERE job_id = ?')
        .get(round.jobId) as Row;
      this.db
        .prepare(
          `UPDATE jobs SET bytes_up = ?, bytes_down = ?, updated_at = ?, latest_version = COALESCE(?, latest_version) WHERE id = ?`,
        )
        .run(Number(bytes['up']), Number(bytes['down']), round.endedAt ?? Date.now(), version?.version ?? null, round.jobId);
    })();
  }

  updateRoundMetrics(jobId: string, round: number, metrics: RoundMetrics): void {
    this.db.prepare('UPDATE rounds SET metrics = ? WHERE job_id = ? AND round = ?').run(JSON.stringify(metrics), jobId, round);
  }

  getRound(jobId: string, round: number): RoundRecord | undefined {
    const row = this.db.prepare('SELECT * FROM rounds WHERE job_id = ? AND round = ?').get(jobId, round) as Row | undefined;
    return row === undefined ? undefined : roundFromRow(row);
  }

  countRounds(jobId: string, status: RoundRecord['status']): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM rounds WHERE job_id = ? AND status = ?').get(jobId, status) as Row)['n']);
  }

  listRounds(jobId: string): RoundRecord[] {
    return (this.db.prepare('SELECT * FROM rounds WHERE job_id = ? ORDER BY round').all(jobId) as Row[]).map(roundFromRow);
  }

  /** Rounds left open by a coordinator that stopped mid-round; they are failed on start-up. */
  /**
   * Ends the job's open rounds as failed, resolving their contributions: who was still `selected`, or `accepted`
   * into an aggregate that was never released, becomes `dropped` with `errorCode`. With `interrupted` (a restart) the
   * rounds are marked so they do not count towards the job's rounds.
   */
  failOpenRounds(jobId: string, reason: string, at: number, options: { interrupted?: boolean; errorCode?: string } = {}): number {
    return this.db.transaction(() => {
      const open = (this.db.prepare(`SELECT round FROM rounds WHERE job_id = ? AND status = 'running'`).all(jobId) as { round: number }[]).map((row) => row.round);
      for (const round of open) {
        this.db
          .prepare(`UPDATE contributions SET status = 'dropped', error_code = ?, updated_at = ? WHERE job_id = ? AND round = ? AND status IN ('selected', 'accepted')`)
          .run(options.errorCode ?? 'ROUND_INTERRUPTED', at, jobId, round);
      }
      return this.db
        .prepare(`UPDATE rounds SET status = 'failed', status_reason = ?, ended_at = ?, interrupted = ? WHERE job_id = ? AND status = 'running'`)
        .run(reason, at, options.interrupted === true ? 1 : 0, jobId).changes;
    })();
  }

  // Contributions
  updateContribution(jobId: string, round: number, clientId: string, patch: ContributionPatch): void {
    this.db
      .prepare(
        `UPDATE contributions SET status = COALESCE(@status, status), error_code = CASE WHEN @clearErrorCode = 1 THEN NULL ELSE COALESCE(@errorCode, error_code) END,
           num_examples = COALESCE(@numExamples, num_examples), bytes_up = bytes_up + COALESCE(@bytesUp, 0),
           loss = COALESCE(@loss, loss), accuracy = COALESCE(@accuracy, accuracy), duration_ms = COALESCE(@durationMs, duration_ms),
           weight = COALESCE(@weight, weight), update_norm = COALESCE(@updateNorm, update_norm),
           distance_to_aggregate = COALESCE(@distanceToAggregate, distance_to_aggregate), outlier = COALESCE(@outlier, outlier),
           updated_at = @updatedAt
         WHERE job_id = @jobId AND round = @round AND client_id = @clientId`,
      )
      .run({
        status: patch.status ?? null,
        errorCode: patch.errorCode ?? null,
        clearErrorCode: patch.clearErrorCode === true ? 1 : 0,
        numExamples: patch.numExamples ?? null,
        bytesUp: patch.bytesUp ?? null,
        loss: patch.loss ?? null,
        accuracy: patch.accuracy ?? null,
        durationMs: patch.durationMs ?? null,
        weight: patch.weight ?? null,
        updateNorm: patch.updateNorm ?? null,
        distanceToAggregate: patch.distanceToAggregate ?? null,
        outlier: patch.outlier === undefined ? null : patch.outlier ? 1 : 0,
        updatedAt: Date.now(),
        jobId,
        round,
        clientId,
      });
  }

  addBytesDown(jobId: string, round: number, clientId: string, bytes: number): void {
    this.db
      .prepare('UPDATE contributions SET bytes_down = bytes_down + ? WHERE job_id = ? AND round = ? AND client_id = ?')
      .run(bytes, jobId, round, clientId);
  }

  listContributions(jobId: string, round: number): ContributionRecord[] {
    return (
      this.db.prepare('SELECT * FROM contributions WHERE job_id = ? AND round = ? ORDER BY client_id').all(jobId, round) as Row[]
    ).map(contributionFromRow);
  }

  // Model versions
  private insertVersion(jobId: string, version: NewModelVersion): void {
    this.db
      .prepare(
        `INSERT INTO model_versions (job_id, version, round, parent_version, created_at, byte_length, weights, central_accuracy, central_loss)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        jobId,
        version.version,
        version.round ?? null,
        version.parentVersion ?? null,
        version.createdAt,
        version.weights.byteLength,
        Buffer.from(version.weights.buffer, version.weights.byteOffset, version.weights.byteLength),
        version.centralAccuracy ?? null,
        version.centralLoss ?? null,
      );
  }

  setVersionEvaluation(jobId: string, version: number, accuracy: number, loss: number): void {
    this.db
      .prepare('UPDATE model_versions SET central_accuracy = ?, central_loss = ? WHERE job_id = ? AND version = ?')
      .run(accuracy, loss, jobId, version);
  }

  listVersions(jobId: string): ModelVersionRecord[] {
    return (
      this.db
        .prepare(
          'SELECT job_id, version, round, parent_version, created_at, byte_length, central_accuracy, central_loss FROM model_versions WHERE job_id = ? ORDER BY version',
        )
        .all(jobId) as Row[]
    ).map(versionFromRow);
  }

  getVersion(jobId: string, version: number): ModelVersionRecord | undefined {
    const row = this.db
      .prepare(
        'SELECT job_id, version, round, parent_version, created_at, byte_length, central_accuracy, central_loss FROM model_versions WHERE job_id = ? AND version = ?',
      )
      .get(jobId, version) as Row | undefined;
    return row === undefined ? undefined : versionFromRow(row);
  }

  getVersionWeights(jobId: string, version: number): Buffer | undefined {
    const row = this.db.prepare('SELECT weights FROM model_versions WHERE job_id = ? AND version = ?').get(jobId, version) as
      | Row
      | undefined;
    return row === undefined ? undefined : (row['weights'] as Buffer);
  }
}
