/**
 * A Store on PostgreSQL, for coordinators that should not keep their state in one local file. The coordinator calls
 * its Store synchronously, so node-postgres runs in a worker thread behind a synchronous bridge (sync-bridge.ts); the
 * record modules here mirror SQLite's, one per table group, and migrate the schema on open.
 */
import { ShoalError } from '@shoal/protocol';
import { LastSeenBuffer } from '../last-seen-buffer.js';
import type { AdminPort, ArtifactsPort, ClientRetentionPort, ClientsPort, ContributionsPort, DevicesPort, JobsPort, LeasesPort, RoundsPort, ServingPort, Store, StrategyStatesPort, VersionsPort } from '../store.js';
import { PgAdminRecords } from './admin-records.js';
import { PgArtifactRecords } from './artifact-records.js';
import { PgClientRecords, writeLastSeen } from './client-records.js';
import { PgClientRetention } from './client-retention.js';
import { PgContributionRecords } from './contribution-records.js';
import { PgDeviceRecords } from './device-records.js';
import { PgJobRecords } from './job-records.js';
import { LeaseFence } from './lease-fence.js';
import { PgLeaseRecords } from './lease-records.js';
import { PG_MIGRATIONS } from './pg-migrations.js';
import type { PgRequest, PgResult, PgWorkerOptions } from './pg-messages.js';
import { PgRoundRecords } from './round-records.js';
import { PgServingRecords } from './serving-records.js';
import { SqlSession, quoteIdentifier } from './sql-session.js';
import { PgStrategyStateRecords } from './strategy-state-records.js';
import { SyncBridge } from './sync-bridge.js';
import { PgVersionRecords } from './version-records.js';
import { PgVersionRetention } from './version-retention.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (libpq form, as `psql` takes it). */
  connectionString: string;
  /** Keep the tables in this schema (created when missing) instead of the connection's default search path. */
  schema?: string | undefined;
  /** How long PostgreSQL may take to connect or to run one statement. */
  statementTimeoutMs?: number;
  /** How long one call may wait for the worker at all, beyond which it fails as INTERNAL instead of hanging. */
  callTimeoutMs?: number;
  /**
   * One of several coordinator nodes on this database and schema: the single-coordinator lock is not taken, and jobs
   * are run under `leases` (lease-records.ts) instead.
   */
  cluster?: boolean;
}

/** Any migrating coordinator holds this advisory lock, so two starting together do not both migrate. */
const MIGRATION_LOCK = 5_341_003;
/** Held by the one coordinator that uses a database and schema (with the schema's hash as the second key). */
const OWNER_LOCK = 5_341_004;

// The flat ports are the record modules' own methods, bound in the constructor (see exposePorts).
export interface PostgresStore extends JobsPort, RoundsPort, ContributionsPort, VersionsPort, ClientsPort {}

export class PostgresStore implements Store {
  readonly admin: AdminPort;
  readonly devices: DevicesPort;
  readonly serving: ServingPort;
  readonly strategyStates: StrategyStatesPort;
  readonly artifacts: ArtifactsPort;
  readonly clientRetention: ClientRetentionPort;
  readonly leases: LeasesPort | undefined;
  private readonly sql: SqlSession;
  private readonly lastSeen: LastSeenBuffer;

  constructor(readonly options: PostgresStoreOptions) {
    if (typeof options.connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(options.connectionString)) {
      throw new ShoalError('BAD_REQUEST', 'PostgresStore: connectionString must be a postgres:// or postgresql:// URL');
    }
    const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
    const workerOptions: PgWorkerOptions = { connectionString: options.connectionString, schema: options.schema, statementTimeoutMs };
    const bridge = new SyncBridge<PgRequest, PgResult>(new URL('./pg-worker.ts', import.meta.url), {
      name: 'PostgresStore',
      timeoutMs: options.callTimeoutMs ?? statementTimeoutMs * 2,
      options: workerOptions,
    });
    this.sql = new SqlSession(bridge);
    try {
      // Without job leases, a second coordinator on the same data would run the same jobs twice.
      if (options.cluster !== true) bridge.call({ kind: 'hold-owner-lock', key: OWNER_LOCK });
      this.migrate();
    } catch (error) {
      this.sql.close();
      throw error;
    }
    // Heartbeat touches would each cost a round trip through the bridge; they are written together (last-seen-buffer.ts).
    this.lastSeen = new LastSeenBuffer((seen) => writeLastSeen(this.sql, seen));
    // Every write of a job's rows goes through the fence; it holds nothing unless `leases` acquired the job here.
    const fence = new LeaseFence(this.sql);
    this.leases = options.cluster === true ? new PgLeaseRecords(this.sql, fence) : undefined;
    const versions = new PgVersionRecords(this.sql, fence);
    this.admin = new PgAdminRecords(this.sql);
    this.devices = new PgDeviceRecords(this.sql, fence);
    this.serving = new PgServingRecords(this.sql);
    this.strategyStates = new PgStrategyStateRecords(this.sql, fence);
    this.artifacts = new PgArtifactRecords(this.sql);
    this.clientRetention = new PgClientRetention(this.sql, () => this.lastSeen.flush());
    exposePorts(this, [
      new PgJobRecords(this.sql, versions, fence),
      new PgRoundRecords(this.sql, versions, fence),
      new PgContributionRecords(this.sql, fence),
      versions,
      new PgVersionRetention(this.sql, fence),
      new PgClientRecords(this.sql, this.lastSeen),
    ]);
  }

  /** Applies the missing migrations in one transaction: PostgreSQL's DDL is transactional, so a failure leaves none. */
  private migrate(): void {
    this.sql.transaction(() => {
      this.sql.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      if (this.options.schema !== undefined) this.sql.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.options.schema)}`);
      this.sql.exec('CREATE TABLE IF NOT EXISTS shoal_schema (version INTEGER NOT NULL)');
      const current = Number(this.sql.get('SELECT max(version) AS version FROM shoal_schema')?.['version'] ?? 0);
      if (current > PG_MIGRATIONS.length) {
        throw new ShoalError('INTERNAL', `PostgresStore: the database is at schema version ${current}, newer than this coordinator's ${PG_MIGRATIONS.length}`);
      }
      for (let version = current; version < PG_MIGRATIONS.length; version++) this.sql.exec(PG_MIGRATIONS[version]!);
      if (current < PG_MIGRATIONS.length) {
        this.sql.run('DELETE FROM shoal_schema');
        this.sql.run('INSERT INTO shoal_schema (version) VALUES ($1)', [PG_MIGRATIONS.length]);
      }
    });
  }

  /** Writes the pending touches first; the worker is released even when that write fails. */
  close(): void {
    try {
      this.lastSeen.flush();
    } finally {
      this.lastSeen.stop();
      this.sql.close();
    }
  }
}

/** Puts each record module's methods on the store, bound to the module, so the flat ports need no hand-written forwarding. */
function exposePorts(store: object, modules: readonly object[]): void {
  for (const module of modules) {
    const prototype = Object.getPrototypeOf(module) as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method: unknown = Reflect.get(prototype, name);
      if (name === 'constructor' || typeof method !== 'function') continue;
      Object.defineProperty(store, name, { value: method.bind(module), enumerable: false });
    }
  }
}
