/**
 * The job_leases table on PostgreSQL: which coordinator node runs each job, until when, at which fencing epoch. Every
 * time is the database's clock, so nodes whose clocks disagree still agree on expiry. What this store instance holds
 * is remembered by the LeaseFence, which every write of a held job's rows checks (lease-fence.ts).
 */
import type { Row } from '../row-values.js';
import type { JobLease, LeasesPort } from '../store.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

/** Now in milliseconds on the database's clock (clock_timestamp: the statement's own moment, not its transaction's). */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

const LEASE_COLUMNS = 'job_id, holder, epoch, expires_at';

/**
 * One statement, so two nodes acquiring together cannot both win: a free job gets epoch 1; an expired lease or the
 * caller's own is taken over, the epoch moving on only when the holder changes; an unexpired other's returns no row.
 * Selecting from jobs makes an unknown job return no row rather than break the foreign key.
 */
const ACQUIRE = `INSERT INTO job_leases (job_id, holder, epoch, expires_at)
  SELECT id, $2, 1, ${NOW_MS} + $3 FROM jobs WHERE id = $1
  ON CONFLICT (job_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
    epoch = CASE WHEN job_leases.holder = excluded.holder THEN job_leases.epoch ELSE job_leases.epoch + 1 END
  WHERE job_leases.expires_at <= ${NOW_MS} OR job_leases.holder = excluded.holder
  RETURNING ${LEASE_COLUMNS}`;

function leaseFromRow(row: Row): JobLease {
  return { jobId: String(row['job_id']), holder: String(row['holder']), epoch: Number(row['epoch']), expiresAt: Number(row['expires_at']) };
}

export class PgLeaseRecords implements LeasesPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  acquire(jobId: string, holder: string, ttlMs: number): JobLease | undefined {
    const row = this.sql.get(ACQUIRE, [jobId, holder, Math.ceil(ttlMs)]);
    if (row === undefined) return undefined;
    const lease = leaseFromRow(row);
    this.fence.hold(jobId, lease);
    return lease;
  }

  /** An expired lease nobody took over is still the holder's (its epoch did not move), so it renews. */
  renew(jobId: string, holder: string, epoch: number, ttlMs: number): boolean {
    const changed = this.sql.run(`UPDATE job_leases SET expires_at = ${NOW_MS} + $4 WHERE job_id = $1 AND holder = $2 AND epoch = $3`, [jobId, holder, epoch, Math.ceil(ttlMs)]);
    // A lost lease keeps its fence: the stale holder's writes go on failing the check (LEASE_LOST) until it lets go.
    if (changed === 0) return false;
    this.fence.hold(jobId, { holder, epoch });
    return true;
  }

  /** The row stays with its epoch, so the next holder's epoch is higher still. */
  release(jobId: string, holder: string, epoch: number): void {
    this.sql.run(`UPDATE job_leases SET expires_at = LEAST(expires_at, ${NOW_MS}) WHERE job_id = $1 AND holder = $2 AND epoch = $3`, [jobId, holder, epoch]);
    this.fence.drop(jobId, { holder, epoch });
  }

  current(jobId: string): JobLease | undefined {
    const row = this.sql.get(`SELECT ${LEASE_COLUMNS} FROM job_leases WHERE job_id = $1 AND expires_at > ${NOW_MS}`, [jobId]);
    return row === undefined ? undefined : leaseFromRow(row);
  }

  orphaned(limit: number): string[] {
    return this.sql
      .all(
        `SELECT jobs.id FROM jobs LEFT JOIN job_leases ON job_leases.job_id = jobs.id
         WHERE jobs.status IN ('running', 'paused') AND (job_leases.job_id IS NULL OR job_leases.expires_at <= ${NOW_MS})
         ORDER BY jobs.created_at, jobs.id LIMIT $1`,
        [limit],
      )
      .map((row) => String(row['id']));
  }
}
