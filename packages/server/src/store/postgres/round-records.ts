/**
 * The rounds table on PostgreSQL: opening a round with its selected contributions, closing it (with the version it
 * produced) and failing the rounds a stopped coordinator left open, each in one transaction.
 */
import type { RoundMetrics } from '@shoal/protocol';
import { rowsToRead, storePage } from '../keyset-page.js';
import type { RoundRecord } from '../records.js';
import { roundFromRow } from '../row-mappers.js';
import type { KeysetPage, LatestRoundFilter, NewModelVersion, RoundClose, RoundsPort, StorePage } from '../store.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';
import type { PgVersionRecords } from './version-records.js';

export class PgRoundRecords implements RoundsPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly versions: PgVersionRecords,
    private readonly fence: LeaseFence,
  ) {}

  /**
   * A round that already exists (a re-run) starts over: its figures and contributions are replaced, and the bytes its
   * old contributions added to the job's totals are taken back out.
   */
  startRound(round: RoundRecord, clientIds: readonly string[]): void {
    this.fence.transaction(round.jobId, () => {
      this.sql.write(
        `INSERT INTO rounds (job_id, round, status, status_reason, started_at, ended_at, deadline_at, selected, reported, failed, model_version, metrics)
         VALUES ($1, $2, $3, NULL, $4, NULL, $5, $6, 0, 0, NULL, '{}')
         ON CONFLICT (job_id, round) DO UPDATE SET status = excluded.status, status_reason = NULL, started_at = excluded.started_at, ended_at = NULL,
           deadline_at = excluded.deadline_at, selected = excluded.selected, reported = 0, failed = 0, model_version = NULL, metrics = '{}'`,
        [round.jobId, round.round, round.status, round.startedAt, round.deadlineAt ?? null, clientIds.length],
      );
      this.sql.write(
        `WITH removed AS (DELETE FROM contributions WHERE job_id = $1 AND round = $2 RETURNING bytes_up, bytes_down)
         UPDATE jobs SET bytes_up = bytes_up - (SELECT COALESCE(SUM(bytes_up), 0) FROM removed),
           bytes_down = bytes_down - (SELECT COALESCE(SUM(bytes_down), 0) FROM removed) WHERE id = $1`,
        [round.jobId, round.round],
      );
      // One statement for the whole selection, however many clients: the ids go as one array.
      this.sql.write(
        `INSERT INTO contributions (job_id, round, client_id, status, updated_at) SELECT $1, $2, client_id, 'selected', $3 FROM unnest($4::text[]) AS client_id`,
        [round.jobId, round.round, round.startedAt, clientIds],
      );
      this.sql.write('UPDATE jobs SET current_round = $1, updated_at = $2 WHERE id = $3', [round.round, round.startedAt, round.jobId]);
    });
  }

  /** The job's byte totals are kept as contributions change (contribution-records.ts), so closing reads no history. */
  finishRound(round: RoundClose, version: NewModelVersion | undefined): void {
    this.fence.transaction(round.jobId, () => {
      if (version !== undefined) this.versions.insert(round.jobId, version);
      this.sql.write(
        `UPDATE rounds SET status = $1, status_reason = $2, ended_at = $3, reported = $4, failed = $5, model_version = $6, metrics = $7 WHERE job_id = $8 AND round = $9`,
        [round.status, round.statusReason ?? null, round.endedAt ?? null, round.reported, round.failed, version?.version ?? null, JSON.stringify(round.metrics), round.jobId, round.round],
      );
      this.sql.write('UPDATE jobs SET updated_at = $1, latest_version = COALESCE($2::bigint, latest_version) WHERE id = $3', [
        round.endedAt ?? Date.now(),
        version?.version ?? null,
        round.jobId,
      ]);
    });
  }

  updateRoundMetrics(jobId: string, round: number, metrics: RoundMetrics): void {
    this.fence.write(jobId, () => this.sql.write('UPDATE rounds SET metrics = $1 WHERE job_id = $2 AND round = $3', [JSON.stringify(metrics), jobId, round]));
  }

  getRound(jobId: string, round: number): RoundRecord | undefined {
    const row = this.sql.get('SELECT * FROM rounds WHERE job_id = $1 AND round = $2', [jobId, round]);
    return row === undefined ? undefined : roundFromRow(row);
  }

  countRounds(jobId: string, status: RoundRecord['status']): number {
    return Number(this.sql.get('SELECT COUNT(*) AS n FROM rounds WHERE job_id = $1 AND status = $2', [jobId, status])?.['n']);
  }

  listRounds(jobId: string): RoundRecord[] {
    return this.sql.all('SELECT * FROM rounds WHERE job_id = $1 ORDER BY round', [jobId]).map(roundFromRow);
  }

  latestRound(jobId: string, where: LatestRoundFilter): RoundRecord | undefined {
    const row = this.sql.get(
      `SELECT * FROM rounds WHERE job_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR metrics ->> $3 IS NOT NULL)
       ORDER BY round DESC LIMIT 1`,
      [jobId, where.status ?? null, where.metric ?? null],
    );
    return row === undefined ? undefined : roundFromRow(row);
  }

  /** A range of the (job_id, round) primary key; the total is counted from the same index. */
  pageRounds(jobId: string, page: KeysetPage<number>): StorePage<RoundRecord> {
    const rows = this.sql.all('SELECT * FROM rounds WHERE job_id = $1 AND round > $2 ORDER BY round LIMIT $3', [jobId, page.after ?? -1, rowsToRead(page.limit)]);
    const total = Number(this.sql.get('SELECT COUNT(*) AS n FROM rounds WHERE job_id = $1', [jobId])?.['n']);
    return storePage(rows, page.limit, total, roundFromRow);
  }

  /**
   * Ends the job's open rounds as failed; who was still `selected`, or `accepted` into an aggregate never released,
   * becomes `dropped` with `errorCode`. With `interrupted` (a restart) the rounds do not count towards the job's rounds.
   */
  failOpenRounds(jobId: string, reason: string, at: number, options: { interrupted?: boolean; errorCode?: string } = {}): number {
    return this.fence.transaction(jobId, () => {
      this.sql.run(
        `UPDATE contributions SET status = 'dropped', error_code = $1, updated_at = $2
         WHERE job_id = $3 AND status IN ('selected', 'accepted') AND round IN (SELECT round FROM rounds WHERE job_id = $3 AND status = 'running')`,
        [options.errorCode ?? 'ROUND_INTERRUPTED', at, jobId],
      );
      return this.sql.run(`UPDATE rounds SET status = 'failed', status_reason = $1, ended_at = $2, interrupted = $3 WHERE job_id = $4 AND status = 'running'`, [
        reason,
        at,
        options.interrupted === true ? 1 : 0,
        jobId,
      ]);
    });
  }
}
