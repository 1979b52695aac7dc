/**
 * The fencing half of job leases (lease-records.ts): the leases this store instance holds, and the check every write
 * for such a job makes first, in its own transaction. The check takes the lease row FOR SHARE, so a takeover (which
 * updates the row) waits for the write to commit, and a write after a takeover finds a newer epoch and changes nothing.
 */
import { ShoalError } from '@shoal/protocol';
import type { SqlSession } from './sql-session.js';

/** A lease this store instance holds: whose, and its fencing epoch. */
export interface HeldLease {
  holder: string;
  epoch: number;
}

export class LeaseFence {
  private readonly held = new Map<string, HeldLease>();
  /** Jobs whose fenced write is running now; a write nested in it (a version inside finishRound) is already checked. */
  private readonly checking = new Set<string>();

  constructor(private readonly sql: SqlSession) {}

  hold(jobId: string, lease: HeldLease): void {
    this.held.set(jobId, { holder: lease.holder, epoch: lease.epoch });
  }

  /** Drops the fence, only when it is this holder's at this epoch (an older lease's release or renewal leaves a newer one). */
  drop(jobId: string, lease: HeldLease): void {
    const held = this.held.get(jobId);
    if (held !== undefined && held.holder === lease.holder && held.epoch === lease.epoch) this.held.delete(jobId);
  }

  /** Runs a write of the job's rows in one transaction, behind the job's fence when this store holds one. */
  transaction<T>(jobId: string, body: () => T): T {
    return this.sql.transaction(() => this.checked(jobId, body));
  }

  /** A one-statement write of the job's rows: as it is without a fence; with one, in a transaction behind the check. */
  write<T>(jobId: string, body: () => T): T {
    return this.held.has(jobId) && !this.checking.has(jobId) ? this.transaction(jobId, body) : body();
  }

  /** Inside a transaction: a stale leader's write throws LEASE_LOST before it changes anything. */
  private checked<T>(jobId: string, body: () => T): T {
    const lease = this.held.get(jobId);
    if (lease === undefined || this.checking.has(jobId)) return body();
    // Sent with the body's first statement: the database refuses the whole transaction there when the row is gone.
    const lost = new ShoalError('LEASE_LOST', `job ${jobId}: the lease of ${lease.holder} at epoch ${lease.epoch} was taken over; the write was refused`, {
      details: { jobId, holder: lease.holder, epoch: lease.epoch },
    });
    this.sql.requireRow('SELECT 1 AS held FROM job_leases WHERE job_id = $1 AND holder = $2 AND epoch = $3 FOR SHARE', [jobId, lease.holder, lease.epoch], lost);
    this.checking.add(jobId);
    try {
      return body();
    } finally {
      this.checking.delete(jobId);
    }
  }
}
