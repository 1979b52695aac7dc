/**
 * The default Store: one SQLite file (WAL) holding clients, jobs, rounds, model versions and contributions. It opens
 * and migrates the database and composes one module per table group; its flat methods delegate to them.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RoundMetrics } from '@shoal/protocol';
import { MIGRATIONS } from './migrations.js';
import { AdminRecords } from './admin-records.js';
import { ArtifactRecords } from './artifact-records.js';
import { ClientRecords } from './client-records.js';
import { ClientRetention } from './client-retention.js';
import { ContributionRecords } from './contribution-records.js';
import { DeviceRecords } from './device-records.js';
import { JobRecords } from './job-records.js';
import { RoundRecords } from './round-records.js';
import { ServingRecords } from './serving-records.js';
import { StrategyStateRecords } from './strategy-state-records.js';
import { VersionRecords } from './version-records.js';
import { VersionRetention } from './version-retention.js';
import type { RetentionPolicy } from '../jobs/job-config.js';
import type { ClientRecord, ContributionRecord, JobRecord, JobStatus, ModelVersionRecord, RoundRecord } from './records.js';
import type { BytesDownRow, ClientQuery, ContributionChangeRow, ContributionPatch, KeysetPage, LatestRoundFilter, NewModelVersion, RecentContribution, RoundClose, Store, StorePage } from './store.js';


export class SqliteStore implements Store {
  private readonly db: Database.Database;
  readonly admin: AdminRecords;
  readonly strategyStates: StrategyStateRecords;
  readonly clientRetention: ClientRetention;
  readonly artifacts: ArtifactRecords;
  readonly serving: ServingRecords;
  readonly devices: DeviceRecords;
  private readonly clients: ClientRecords;
  private readonly jobs: JobRecords;
  private readonly rounds: RoundRecords;
  private readonly contributions: ContributionRecords;
  private readonly versions: VersionRecords;
  private readonly retention: VersionRetention;

  /** `path` is a file (its directory is created) or `:memory:`. */
  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // auto_vacuum can only be chosen before the first table exists; older files keep theirs (version-retention.ts).
    if (Number(this.db.pragma('user_version', { simple: true })) === 0) this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.admin = new AdminRecords(this.db);
    this.artifacts = new ArtifactRecords(this.db);
    this.serving = new ServingRecords(this.db);
    this.devices = new DeviceRecords(this.db);
    this.strategyStates = new StrategyStateRecords(this.db);
    this.clients = new ClientRecords(this.db);
    this.clientRetention = new ClientRetention(this.db, () => this.clients.flushLastSeen());
    this.versions = new VersionRecords(this.db);
    this.retention = new VersionRetention(this.db);
    this.jobs = new JobRecords(this.db, this.versions);
    this.rounds = new RoundRecords(this.db, this.versions);
    this.contributions = new ContributionRecords(this.db);
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
    this.clients.close();
    this.db.close();
  }

  // Clients
  upsertClient(client: ClientRecord): boolean {
    return this.clients.upsertClient(client);
  }
  touchClient(id: string, at: number): void {
    this.clients.touchClient(id, at);
  }
  getClient(id: string): ClientRecord | undefined {
    return this.clients.getClient(id);
  }
  listClients(): ClientRecord[] {
    return this.clients.listClients();
  }
  contributionCounts(): Map<string, number> {
    return this.clients.contributionCounts();
  }
  queryClients(query: ClientQuery): { items: { client: ClientRecord; contributions: number }[]; total: number } {
    return this.clients.queryClients(query);
  }
  recentContributions(clientIds: readonly string[], perClient: number): Map<string, RecentContribution[]> {
    return this.clients.recentContributions(clientIds, perClient);
  }
  countClients(): number {
    return this.clients.countClients();
  }

  // Jobs
  insertJob(job: JobRecord, initial: NewModelVersion): void {
    this.jobs.insertJob(job, initial);
  }
  getJob(id: string): JobRecord | undefined {
    return this.jobs.getJob(id);
  }
  listJobs(): JobRecord[] {
    return this.jobs.listJobs();
  }
  setJobStatus(id: string, status: JobStatus, reason: string | undefined, at: number): void {
    this.jobs.setJobStatus(id, status, reason, at);
  }

  // Rounds
  startRound(round: RoundRecord, clientIds: readonly string[]): void {
    this.rounds.startRound(round, clientIds);
  }
  finishRound(round: RoundClose, version: NewModelVersion | undefined): void {
    this.rounds.finishRound(round, version);
  }
  updateRoundMetrics(jobId: string, round: number, metrics: RoundMetrics): void {
    this.rounds.updateRoundMetrics(jobId, round, metrics);
  }
  getRound(jobId: string, round: number): RoundRecord | undefined {
    return this.rounds.getRound(jobId, round);
  }
  countRounds(jobId: string, status: RoundRecord['status']): number {
    return this.rounds.countRounds(jobId, status);
  }
  listRounds(jobId: string): RoundRecord[] {
    return this.rounds.listRounds(jobId);
  }
  latestRound(jobId: string, where: LatestRoundFilter): RoundRecord | undefined {
    return this.rounds.latestRound(jobId, where);
  }
  pageRounds(jobId: string, page: KeysetPage<number>): StorePage<RoundRecord> {
    return this.rounds.pageRounds(jobId, page);
  }
  failOpenRounds(jobId: string, reason: string, at: number, options: { interrupted?: boolean; errorCode?: string } = {}): number {
    return this.rounds.failOpenRounds(jobId, reason, at, options);
  }

  // Contributions
  updateContribution(jobId: string, round: number, clientId: string, patch: ContributionPatch): void {
    this.contributions.updateContribution(jobId, round, clientId, patch);
  }
  addBytesDown(jobId: string, round: number, clientId: string, bytes: number): void {
    this.contributions.addBytesDown(jobId, round, clientId, bytes);
  }
  updateContributions(jobId: string, round: number, changes: readonly ContributionChangeRow[]): void {
    this.contributions.updateContributions(jobId, round, changes);
  }
  addBytesDownRows(jobId: string, rows: readonly BytesDownRow[]): void {
    this.contributions.addBytesDownRows(jobId, rows);
  }
  listContributions(jobId: string, round: number): ContributionRecord[] {
    return this.contributions.listContributions(jobId, round);
  }
  pageContributions(jobId: string, round: number, page: KeysetPage<string>): StorePage<ContributionRecord> {
    return this.contributions.pageContributions(jobId, round, page);
  }

  // Model versions
  setVersionEvaluation(jobId: string, version: number, accuracy: number, loss: number): void {
    this.versions.setVersionEvaluation(jobId, version, accuracy, loss);
  }
  listVersions(jobId: string): ModelVersionRecord[] {
    return this.versions.listVersions(jobId);
  }
  pageVersions(jobId: string, page: KeysetPage<number>): StorePage<ModelVersionRecord> {
    return this.versions.pageVersions(jobId, page);
  }
  getVersion(jobId: string, version: number): ModelVersionRecord | undefined {
    return this.versions.getVersion(jobId, version);
  }
  getVersionWeights(jobId: string, version: number): Buffer | undefined {
    return this.versions.getVersionWeights(jobId, version);
  }
  pruneVersions(jobId: string, policy: RetentionPolicy, pinned: readonly number[], at: number): number[] {
    return this.retention.pruneVersions(jobId, policy, pinned, at);
  }
}
