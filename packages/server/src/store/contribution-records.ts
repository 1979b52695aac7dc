/**
 * The contributions table: one row per selected client and round, patched as its upload is judged. Bytes a
 * contribution gains are added to its job's totals in the same transaction, so the totals never need re-summing.
 */
import type Database from 'better-sqlite3';
import { rowsToRead, storePage } from './keyset-page.js';
import { statements, type Statements } from './prepared-statements.js';
import type { ContributionRecord } from './records.js';
import { contributionFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { BytesDownRow, ContributionChangeRow, ContributionPatch, ContributionsPort, KeysetPage, StorePage } from './store.js';

export class ContributionRecords implements ContributionsPort {
  private readonly sql: Statements;
  // Each wrapped once: better-sqlite3 builds a transaction function's begin/commit variants on every db.transaction call.
  private readonly patchRows: (jobId: string, round: number, changes: readonly ContributionChangeRow[]) => void;
  private readonly addRowsBytesDown: (jobId: string, rows: readonly BytesDownRow[]) => void;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
    this.patchRows = db.transaction((jobId: string, round: number, changes: readonly ContributionChangeRow[]) => {
      for (const { clientId, patch } of changes) this.patch(jobId, round, clientId, patch);
    });
    this.addRowsBytesDown = db.transaction((jobId: string, rows: readonly BytesDownRow[]) => {
      for (const { round, clientId, bytes } of rows) this.bytesDown(jobId, round, clientId, bytes);
    });
  }

  updateContributions(jobId: string, round: number, changes: readonly ContributionChangeRow[]): void {
    if (changes.length > 0) this.patchRows(jobId, round, changes);
  }

  addBytesDownRows(jobId: string, rows: readonly BytesDownRow[]): void {
    if (rows.length > 0) this.addRowsBytesDown(jobId, rows);
  }

  updateContribution(jobId: string, round: number, clientId: string, patch: ContributionPatch): void {
    this.patchRows(jobId, round, [{ clientId, patch }]);
  }

  addBytesDown(jobId: string, round: number, clientId: string, bytes: number): void {
    this.addRowsBytesDown(jobId, [{ round, clientId, bytes }]);
  }

  private patch(jobId: string, round: number, clientId: string, patch: ContributionPatch): void {
    const changed = this.sql(
      `UPDATE contributions SET status = COALESCE(@status, status), error_code = CASE WHEN @clearErrorCode = 1 THEN NULL ELSE COALESCE(@errorCode, error_code) END,
         num_examples = COALESCE(@numExamples, num_examples), bytes_up = bytes_up + COALESCE(@bytesUp, 0),
         loss = COALESCE(@loss, loss), accuracy = COALESCE(@accuracy, accuracy), duration_ms = COALESCE(@durationMs, duration_ms),
         weight = COALESCE(@weight, weight), update_norm = COALESCE(@updateNorm, update_norm),
         distance_to_aggregate = COALESCE(@distanceToAggregate, distance_to_aggregate), outlier = COALESCE(@outlier, outlier),
         updated_at = @updatedAt
       WHERE job_id = @jobId AND round = @round AND client_id = @clientId`,
    ).run({
      status: patch.status ?? null,
      errorCode: patch.errorCode ?? null,
      clearErrorCode: patch.clearErrorCode === true ? 1 : 0,
      numExamples: patch.numExamples ?? null,
      bytesUp: patch.bytesUp ?? null,
      loss: patch.loss ?? null,
      accuracy: patch.accuracy ?? null,
      durationMs: patch.durationMs ?? null,
      weight: patch.weight ?? null,
      updateNorm: patch.updateNorm ?? null,
      distanceToAggregate: patch.distanceToAggregate ?? null,
      outlier: patch.outlier === undefined ? null : patch.outlier ? 1 : 0,
      updatedAt: Date.now(),
      jobId,
      round,
      clientId,
    }).changes;
    if (changed > 0 && patch.bytesUp !== undefined && patch.bytesUp !== 0) {
      this.sql('UPDATE jobs SET bytes_up = bytes_up + ? WHERE id = ?').run(patch.bytesUp, jobId);
    }
  }

  private bytesDown(jobId: string, round: number, clientId: string, bytes: number): void {
    const changed = this.sql('UPDATE contributions SET bytes_down = bytes_down + ? WHERE job_id = ? AND round = ? AND client_id = ?').run(
      bytes,
      jobId,
      round,
      clientId,
    ).changes;
    if (changed > 0 && bytes !== 0) this.sql('UPDATE jobs SET bytes_down = bytes_down + ? WHERE id = ?').run(bytes, jobId);
  }

  listContributions(jobId: string, round: number): ContributionRecord[] {
    return (this.sql('SELECT * FROM contributions WHERE job_id = ? AND round = ? ORDER BY client_id').all(jobId, round) as Row[]).map(
      contributionFromRow,
    );
  }

  /** A range of the (job_id, round, client_id) primary key; without a cursor the range starts at the round's first row. */
  pageContributions(jobId: string, round: number, page: KeysetPage<string>): StorePage<ContributionRecord> {
    const after = page.after === undefined ? [] : [page.after];
    const rows = this.sql(
      `SELECT * FROM contributions WHERE job_id = ? AND round = ?${page.after === undefined ? '' : ' AND client_id > ?'} ORDER BY client_id LIMIT ?`,
    ).all(jobId, round, ...after, rowsToRead(page.limit)) as Row[];
    const total = Number((this.sql('SELECT COUNT(*) AS n FROM contributions WHERE job_id = ? AND round = ?').get(jobId, round) as Row)['n']);
    return storePage(rows, page.limit, total, contributionFromRow);
  }
}
