/** The jobs table: a job's config, status, round and version pointers, and its byte totals. */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import type { JobRecord, JobStatus } from './records.js';
import { jobFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { JobsPort, NewModelVersion } from './store.js';
import type { VersionRecords } from './version-records.js';

export class JobRecords implements JobsPort {
  private readonly sql: Statements;

  constructor(
    private readonly db: Database.Database,
    private readonly versions: VersionRecords,
  ) {
    this.sql = statements(db);
  }

  insertJob(job: JobRecord, initial: NewModelVersion): void {
    this.db.transaction(() => {
      this.sql(
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
      this.versions.insert(job.id, initial);
    })();
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.sql('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : jobFromRow(row);
  }

  listJobs(): JobRecord[] {
    return (this.sql('SELECT * FROM jobs ORDER BY created_at, id').all() as Row[]).map(jobFromRow);
  }

  setJobStatus(id: string, status: JobStatus, reason: string | undefined, at: number): void {
    this.sql('UPDATE jobs SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?').run(status, reason ?? null, at, id);
  }
}
