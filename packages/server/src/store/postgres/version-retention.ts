/**
 * The retention policy for model versions on PostgreSQL (the policy is described in store/version-retention.ts): a
 * pruned version keeps its row but loses its weights and strategy state, in one statement. The space returns through
 * (auto)vacuum; the partial index model_versions_kept bounds the work by the versions still kept.
 */
import type { RetentionPolicy } from '../../jobs/job-config.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

// NULLIF: a keepEvery of 0 keeps nothing by that rule, as SQLite's `% 0` (NULL) does, instead of dividing by zero.
const PRUNE = `WITH pruned AS (
    UPDATE model_versions SET weights = ''::bytea, pruned_at = $2
    WHERE job_id = $1 AND pruned_at IS NULL AND version <> 0
      AND version <= (SELECT latest_version FROM jobs WHERE id = $1) - $3
      AND version % NULLIF($4::bigint, 0) <> 0
      AND version NOT IN (SELECT version FROM deployments WHERE job_id = $1)
      AND version NOT IN (SELECT version FROM edge_artifacts WHERE job_id = $1)
      AND version <> ALL($5::bigint[])
    RETURNING version),
  states AS (DELETE FROM strategy_states WHERE job_id = $1 AND version IN (SELECT version FROM pruned))
  SELECT version FROM pruned ORDER BY version`;

export class PgVersionRetention {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  /** Prunes what the policy no longer keeps; returns the versions pruned now, in order. */
  pruneVersions(jobId: string, policy: RetentionPolicy, pinned: readonly number[], at: number): number[] {
    return this.fence.write(jobId, () => this.sql.all(PRUNE, [jobId, at, policy.keepLast, policy.keepEvery, pinned])).map((row) => Number(row['version']));
  }
}
