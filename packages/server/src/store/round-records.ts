/**
 * The rounds table: opening a round with its selected contributions, closing it (with the version it produced),
 * and failing the rounds a stopped coordinator left open.
 */
import type Database from 'better-sqlite3';
import type { RoundMetrics } from '@shoal/protocol';
import { rowsToRead, storePage } from './keyset-page.js';
import { statements, type Statements } from './prepared-statements.js';
import type { RoundRecord } from './records.js';
import { roundFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { KeysetPage, LatestRoundFilter, NewModelVersion, RoundClose, RoundsPort, StorePage } from './store.js';
import type { VersionRecords } from './version-records.js';

export class RoundRecords implements RoundsPort {
  private readonly sql: Statements;

  constructor(
    private readonly db: Database.Database,
    private readonly versions: VersionRecords,
  ) {
    this.sql = statements(db);
  }

  /**
   * A round that already exists (a re-run) starts over: its figures and contributions are replaced, and the bytes its
   * old contributions added to the job's totals are taken back out.
   */
  startRound(round: RoundRecord, clientIds: readonly string[]): void {
    this.db.transaction(() => {
      this.sql(
        `INSERT INTO rounds (job_id, round, status, status_reason, started_at, ended_at, deadline_at, selected, reported, failed, model_version, metrics)
         VALUES (?, ?, ?, NULL, ?, NULL, ?, ?, 0, 0, NULL, '{}')
         ON CONFLICT(job_id, round) DO UPDATE SET status = excluded.status, status_reason = NULL, started_at = excluded.started_at,
           ended_at = NULL, deadline_at = excluded.deadline_at, selected = excluded.selected, reported = 0, failed = 0, model_version = NULL, metrics = '{}'`,
      ).run(round.jobId, round.round, round.status, round.startedAt, round.deadlineAt ?? null, clientIds.length);
      this.sql(
        `UPDATE jobs SET (bytes_up, bytes_down) = (
           SELECT jobs.bytes_up - COALESCE(SUM(bytes_up), 0), jobs.bytes_down - COALESCE(SUM(bytes_down), 0) FROM contributions WHERE job_id = @jobId AND round = @round)
         WHERE id = @jobId`,
      ).run({ jobId: round.jobId, round: round.round });
      this.sql('DELETE FROM contributions WHERE job_id = ? AND round = ?').run(round.jobId, round.round);
      const insert = this.sql(`INSERT INTO contributions (job_id, round, client_id, status, updated_at) VALUES (?, ?, ?, 'selected', ?)`);
      for (const clientId of clientIds) insert.run(round.jobId, round.round, clientId, round.startedAt);
      this.sql('UPDATE jobs SET current_round = ?, updated_at = ? WHERE id = ?').run(round.round, round.startedAt, round.jobId);
    })();
  }

  /** The job's byte totals are kept up to date as contributions change (contribution-records.ts), so closing reads no history. */
  finishRound(round: RoundClose, version: NewModelVersion | undefined): void {
    this.db.transaction(() => {
      if (version !== undefined) this.versions.insert(round.jobId, version);
      this.sql(
        `UPDATE rounds SET status = ?, status_reason = ?, ended_at = ?, reported = ?, failed = ?, model_version = ?, metrics = ? WHERE job_id = ? AND round = ?`,
      ).run(
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
      this.sql('UPDATE jobs SET updated_at = ?, latest_version = COALESCE(?, latest_version) WHERE id = ?').run(
        round.endedAt ?? Date.now(),
        version?.version ?? null,
        round.jobId,
      );
    })();
  }

  updateRoundMetrics(jobId: string, round: number, metrics: RoundMetrics): void {
    this.sql('UPDATE rounds SET metrics = ? WHERE job_id = ? AND round = ?').run(JSON.stringify(metrics), jobId, round);
  }

  getRound(jobId: string, round: number): RoundRecord | undefined {
    const row = this.sql('SELECT * FROM rounds WHERE job_id = ? AND round = ?').get(jobId, round) as Row | undefined;
    return row === undefined ? undefined : roundFromRow(row);
  }

  /** Counted from the (job_id, status) index, without reading the rounds' rows. */
  countRounds(jobId: string, status: RoundRecord['status']): number {
    return Number((this.sql('SELECT COUNT(*) AS n FROM rounds WHERE job_id = ? AND status = ?').get(jobId, status) as Row)['n']);
  }

  listRounds(jobId: string): RoundRecord[] {
    return (this.sql('SELECT * FROM rounds WHERE job_id = ? ORDER BY round').all(jobId) as Row[]).map(roundFromRow);
  }

  latestRound(jobId: string, where: LatestRoundFilter): RoundRecord | undefined {
    const row = this.sql(
      `SELECT * FROM rounds WHERE job_id = @jobId AND (@status IS NULL OR status = @status)
         AND (@metric IS NULL OR json_extract(metrics, '$.' || @metric) IS NOT NULL)
       ORDER BY round DESC LIMIT 1`,
    ).get({ jobId, status: where.status ?? null, metric: where.metric ?? null }) as Row | undefined;
    return row === undefined ? undefined : roundFromRow(row);
  }

  /** A range of the (job_id, round) primary key; the total is counted from the same index. */
  pageRounds(jobId: string, page: KeysetPage<number>): StorePage<RoundRecord> {
    const rows = this.sql('SELECT * FROM rounds WHERE job_id = ? AND round > ? ORDER BY round LIMIT ?').all(jobId, page.after ?? -1, rowsToRead(page.limit)) as Row[];
    const total = Number((this.sql('SELECT COUNT(*) AS n FROM rounds WHERE job_id = ?').get(jobId) as Row)['n']);
    return storePage(rows, page.limit, total, roundFromRow);
  }

  /**
   * Ends the job's open rounds as failed, resolving their contributions: who was still `selected`, or `accepted`
   * into an aggregate that was never released, becomes `dropped` with `errorCode`. With `interrupted` (a restart) the
   * rounds are marked so they do not count towards the job's rounds.
   */
  failOpenRounds(jobId: string, reason: string, at: number, options: { interrupted?: boolean; errorCode?: string } = {}): number {
    return this.db.transaction(() => {
      const open = (this.sql(`SELECT round FROM rounds WHERE job_id = ? AND status = 'running'`).all(jobId) as { round: number }[]).map((row) => row.round);
      const drop = this.sql(
        `UPDATE contributions SET status = 'dropped', error_code = ?, updated_at = ? WHERE job_id = ? AND round = ? AND status IN ('selected', 'accepted')`,
      );
      for (const round of open) drop.run(options.errorCode ?? 'ROUND_INTERRUPTED', at, jobId, round);
      return this.sql(`UPDATE rounds SET status = 'failed', status_reason = ?, ended_at = ?, interrupted = ? WHERE job_id = ? AND status = 'running'`).run(
        reason,
        at,
        options.interrupted === true ? 1 : 0,
        jobId,
      ).changes;
    })();
  }
}
