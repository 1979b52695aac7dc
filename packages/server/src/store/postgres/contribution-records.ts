/**
 * The contributions table on PostgreSQL: one row per selected client and round, patched as its upload is judged.
 * Bytes a contribution gains are added to its job's totals in the same statement, so the totals never need re-summing.
 */
import { rowsToRead, storePage } from '../keyset-page.js';
import type { ContributionRecord } from '../records.js';
import { contributionFromRow } from '../row-mappers.js';
import type { ContributionPatch, ContributionsPort, KeysetPage, StorePage } from '../store.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

/** A patch field left undefined keeps the column (NULL → COALESCE keeps it); bytes are added. */
const PATCH = `UPDATE contributions SET status = COALESCE($1, status),
    error_code = CASE WHEN $2::boolean THEN NULL ELSE COALESCE($3, error_code) END,
    num_examples = COALESCE($4::bigint, num_examples), bytes_up = bytes_up + COALESCE($5::bigint, 0),
    loss = COALESCE($6::double precision, loss), accuracy = COALESCE($7::double precision, accuracy),
    duration_ms = COALESCE($8::double precision, duration_ms), weight = COALESCE($9::double precision, weight),
    update_norm = COALESCE($10::double precision, update_norm), distance_to_aggregate = COALESCE($11::double precision, distance_to_aggregate),
    outlier = COALESCE($12::smallint, outlier), updated_at = $13
  WHERE job_id = $14 AND round = $15 AND client_id = $16`;

/** A data-modifying CTE: the job's total moves only when the contribution exists, and both change atomically. */
const withJobTotal = (update: string, column: 'bytes_up' | 'bytes_down', bytes: string): string =>
  `WITH changed AS (${update} RETURNING job_id) UPDATE jobs SET ${column} = ${column} + ${bytes} WHERE id IN (SELECT job_id FROM changed) AND ${bytes} <> 0`;

export class PgContributionRecords implements ContributionsPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  updateContribution(jobId: string, round: number, clientId: string, patch: ContributionPatch): void {
    const values = [
      patch.status ?? null,
      patch.clearErrorCode === true,
      patch.errorCode ?? null,
      patch.numExamples ?? null,
      patch.bytesUp ?? null,
      patch.loss ?? null,
      patch.accuracy ?? null,
      patch.durationMs ?? null,
      patch.weight ?? null,
      patch.updateNorm ?? null,
      patch.distanceToAggregate ?? null,
      patch.outlier === undefined ? null : patch.outlier ? 1 : 0,
      Date.now(),
      jobId,
      round,
      clientId,
    ];
    this.fence.write(jobId, () => this.sql.run(withJobTotal(PATCH, 'bytes_up', 'COALESCE($5::bigint, 0)'), values));
  }

  addBytesDown(jobId: string, round: number, clientId: string, bytes: number): void {
    const update = 'UPDATE contributions SET bytes_down = bytes_down + $1 WHERE job_id = $2 AND round = $3 AND client_id = $4';
    this.fence.write(jobId, () => this.sql.run(withJobTotal(update, 'bytes_down', '$1::bigint'), [bytes, jobId, round, clientId]));
  }

  listContributions(jobId: string, round: number): ContributionRecord[] {
    return this.sql.all('SELECT * FROM contributions WHERE job_id = $1 AND round = $2 ORDER BY client_id', [jobId, round]).map(contributionFromRow);
  }

  /** A range of the (job_id, round, client_id) primary key (COLLATE "C": byte-wise, as SQLite orders client ids). */
  pageContributions(jobId: string, round: number, page: KeysetPage<string>): StorePage<ContributionRecord> {
    const rows =
      page.after === undefined
        ? this.sql.all('SELECT * FROM contributions WHERE job_id = $1 AND round = $2 ORDER BY client_id LIMIT $3', [jobId, round, rowsToRead(page.limit)])
        : this.sql.all('SELECT * FROM contributions WHERE job_id = $1 AND round = $2 AND client_id > $3 ORDER BY client_id LIMIT $4', [
            jobId,
            round,
            page.after,
            rowsToRead(page.limit),
          ]);
    const total = Number(this.sql.get('SELECT COUNT(*) AS n FROM contributions WHERE job_id = $1 AND round = $2', [jobId, round])?.['n']);
    return storePage(rows, page.limit, total, contributionFromRow);
  }
}
