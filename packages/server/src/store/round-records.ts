/**
 * The rounds table: opening a round with its selected contributions, closing it (with the version it produced),
 * and failing the rounds a stopped coordinator left open.
 */
import type Database from 'better-sqlite3';
import type { RoundMetrics } from '@shoal/protocol';
import type { RoundRecord } from './records.js';
import { roundFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { NewModelVersion, RoundClose, RoundsPort } from './store.js';
import type { VersionRecords } from './version-records.js';

export class RoundRecords implements RoundsPort {
  constructor(
    private readonly db: Database.Database,
    private readonly versions: VersionRecords,
  ) {}

  /** A round that already exists (a re-run) starts over: its figures and contributions are replaced. */
  startRound(round: RoundRecord, clientIds: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO rounds (job_id, round, status, status_reason, started_at, ended_at, deadline_at, selected, reported, failed, model_version, metrics)
           VALUES (?, ?, ?, NULL, ?, NULL, ?, ?, 0, 0, NULL, '{}')
           ON CONFLICT(job_id, round) DO UPDATE SET status = excluded.status, status_reason = NULL, started_at = excluded.started_at,
             ended_at = NULL, deadline_at = excluded.deadline_at, selected = excluded.selected, reported = 0, failed = 0, model_version = NULL, metrics = '{}'`,
        )
        .run(round.jobId, round.round, round.status, round.startedAt, round.deadlineAt ?? null, clientIds.length);
      this.db.prepare('DELETE FROM contributions WHERE job_id = ? AND round = ?').run(round.jobId, round.round);
      const insert = this.db.prepare(
        `INSERT INTO contributions (job_id, round, client_id, status, updated_at) VALUES (?, ?, ?, 'selected', ?)`,
      );
      for (const clientId of clientIds) insert.run(round.jobId, round.round, clientId, round.startedAt);
      this.db.prepare('UPDATE jobs SET current_round = ?, updated_at = ? WHERE id = ?').run(round.round, round.startedAt, round.jobId);
    })();
  }

  finishRound(round: RoundClose, version: NewModelVersion | undefined): void {
    this.db.transaction(() => {
      if (version !== undefined) this.versions.insert(round.jobId, version);
      this.db
        .prepare(
          `UPDATE rounds SET status = ?, status_reason = ?, ended_at = ?, reported = ?, failed = ?, model_version = ?, metrics = ? WHERE job_id = ? AND round = ?`,
        )
        .run(
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
      const bytes = this.db
        .prepare('SELECT COALESCE(SUM(bytes_up), 0) AS up, COALESCE(SUM(bytes_down), 0) AS down FROM contributions WHERE job_id = ?')
        .get(round.jobId) as Row;
      this.db
        .prepare(
          `UPDATE jobs SET bytes_up = ?, bytes_down = ?, updated_at = ?, latest_version = COALESCE(?, latest_version) WHERE id = ?`,
        )
        .run(Number(bytes['up']), Number(bytes['down']), round.endedAt ?? Date.now(), version?.version ?? null, round.jobId);
    })();
  }

  updateRoundMetrics(jobId: string, round: number, metrics: RoundMetrics): void {
    this.db.prepare('UPDATE rounds SET metrics = ? WHERE job_id = ? AND round = ?').run(JSON.stringify(metrics), jobId, round);
  }

  getRound(jobId: string, round: number): RoundRecord | undefined {
    const row = this.db.prepare('SELECT * FROM rounds WHERE job_id = ? AND round = ?').get(jobId, round) as Row | undefined;
    return row === undefined ? undefined : roundFromRow(row);
  }

  countRounds(jobId: string, status: RoundRecord['status']): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM rounds WHERE job_id = ? AND status = ?').get(jobId, status) as Row)['n']);
  }

  listRounds(jobId: string): RoundRecord[] {
    return (this.db.prepare('SELECT * FROM rounds WHERE job_id = ? ORDER BY round').all(jobId) as Row[]).map(roundFromRow);
  }

  /**
   * Ends the job's open rounds as failed, resolving their contributions: who was still `selected`, or `accepted`
   * into an aggregate that was never released, becomes `dropped` with `errorCode`. With `interrupted` (a restart) the
   * rounds are marked so they do not count towards the job's rounds.
   */
  failOpenRounds(jobId: string, reason: string, at: number, options: { interrupted?: boolean; errorCode?: string } = {}): number {
    return this.db.transaction(() => {
      const open = (this.db.prepare(`SELECT round FROM rounds WHERE job_id = ? AND status = 'running'`).all(jobId) as { round: number }[]).map((row) => row.round);
      for (const round of open) {
        this.db
          .prepare(`UPDATE contributions SET status = 'dropped', error_code = ?, updated_at = ? WHERE job_id = ? AND round = ? AND status IN ('selected', 'accepted')`)
          .run(options.errorCode ?? 'ROUND_INTERRUPTED', at, jobId, round);
      }
      return this.db
        .prepare(`UPDATE rounds SET status = 'failed', status_reason = ?, ended_at = ?, interrupted = ? WHERE job_id = ? AND status = 'running'`)
        .run(reason, at, options.interrupted === true ? 1 : 0, jobId).changes;
    })();
  }
}
