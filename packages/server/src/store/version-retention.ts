/**
 * The retention policy for model versions: a pruned version keeps its row (history, metrics, evaluation) but loses
 * its weights and strategy state. Kept are version 0, the latest, the last `keepLast`, every `keepEvery`-th, any
 * version a deployment or an edge artifact was made from, and the versions the caller pins (the base of deltas
 * clients may still ask for). The space comes back with `incremental_vacuum` where the database was created with
 * auto_vacuum = INCREMENTAL; an older file reuses the freed pages for new versions instead of growing.
 */
import type Database from 'better-sqlite3';
import type { RetentionPolicy } from '../jobs/job-config.js';
import { statements, type Statements } from './prepared-statements.js';

/** auto_vacuum = INCREMENTAL, as PRAGMA auto_vacuum reports it. */
const INCREMENTAL = 2;
/** Free pages kept for the next versions (8 MiB at 4 KiB pages): giving back every page only to grow again costs a round time. */
const RESERVE_PAGES = 2_048;

export class VersionRetention {
  private readonly sql: Statements;
  private readonly incremental: boolean;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
    this.incremental = Number(db.pragma('auto_vacuum', { simple: true })) === INCREMENTAL;
  }

  /** Prunes what the policy no longer keeps; returns the versions pruned now, in order. */
  pruneVersions(jobId: string, policy: RetentionPolicy, pinned: readonly number[], at: number): number[] {
    const pruned = this.db.transaction(() => {
      // The partial index holds only versions that still have weights, so the work is bounded by what is kept.
      const versions = (
        this.sql(
          `UPDATE model_versions INDEXED BY model_versions_kept SET weights = X'', pruned_at = @at
           WHERE job_id = @jobId AND pruned_at IS NULL AND version <> 0
             AND version <= (SELECT latest_version FROM jobs WHERE id = @jobId) - @keepLast
             AND version % @keepEvery <> 0
             AND version NOT IN (SELECT version FROM deployments WHERE job_id = @jobId)
             AND version NOT IN (SELECT version FROM edge_artifacts WHERE job_id = @jobId)
             AND version NOT IN (SELECT value FROM json_each(@pinned))
           RETURNING version`,
        ).all({ jobId, at, keepLast: policy.keepLast, keepEvery: policy.keepEvery, pinned: JSON.stringify(pinned) }) as { version: number }[]
      )
        .map((row) => row.version)
        .sort((a, b) => a - b);
      if (versions.length > 0) {
        this.sql('DELETE FROM strategy_states WHERE job_id = ? AND version IN (SELECT value FROM json_each(?))').run(jobId, JSON.stringify(versions));
      }
      return versions;
    })();
    if (pruned.length > 0 && this.incremental) {
      const free = Number(this.db.pragma('freelist_count', { simple: true }));
      if (free > RESERVE_PAGES) this.db.pragma(`incremental_vacuum(${free - RESERVE_PAGES})`);
    }
    return pruned;
  }
}
