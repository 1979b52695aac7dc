/** The jobs table on PostgreSQL: a job's config, status, round and version pointers, and its byte totals. */
import type { JobRecord, JobStatus } from '../records.js';
import { jobFromRow } from '../row-mappers.js';
import type { JobsPort, NewModelVersion } from '../store.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';
import type { PgVersionRecords } from './version-records.js';

export class PgJobRecords implements JobsPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly versions: PgVersionRecords,
    private readonly fence: LeaseFence,
  ) {}

  insertJob(job: JobRecord, initial: NewModelVersion): void {
    this.sql.transaction(() => {
      this.sql.run(
        `INSERT INTO jobs (id, name, status, status_reason, config, topology, tensor_specs, created_at, updated_at, current_round, latest_version, bytes_up, bytes_down)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          job.id, job.name, job.status, job.statusReason ?? null, JSON.stringify(job.config), JSON.stringify(job.topology), JSON.stringify(job.tensorSpecs),
          job.createdAt, job.updatedAt, job.currentRound, job.latestVersion, job.bytesUp, job.bytesDown,
        ],
      );
      this.versions.insert(job.id, initial);
    });
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.sql.get('SELECT * FROM jobs WHERE id = $1', [id]);
    return row === undefined ? undefined : jobFromRow(row);
  }

  listJobs(): JobRecord[] {
    return this.sql.all('SELECT * FROM jobs ORDER BY created_at, id').map(jobFromRow);
  }

  setJobStatus(id: string, status: JobStatus, reason: string | undefined, at: number): void {
    this.fence.write(id, () => this.sql.write('UPDATE jobs SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4', [status, reason ?? null, at, id]));
  }
}
