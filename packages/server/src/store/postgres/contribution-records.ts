/**
 * The contributions table on PostgreSQL: one row per selected client and round, patched as its upload is judged.
 * Bytes a contribution gains are added to its job's totals in the same statement, so the totals never need re-summing.
 */
import { rowsToRead, storePage } from '../keyset-page.js';
import type { ContributionRecord } from '../records.js';
import { contributionFromRow } from '../row-mappers.js';
import type { BytesDownRow, ContributionChangeRow, ContributionPatch, ContributionsPort, KeysetPage, StorePage } from '../store.js';
import { foldBytesDown, foldChanges } from '../contribution-batches.js';
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

/**
 * Patches as one statement, however many: one array per column, a row per client (foldChanges made them one each). A
 * field left NULL keeps the column; bytes are added, to the job's total too, only for rows that exist.
 */
const PATCH_MANY = `WITH changed AS (
    UPDATE contributions c SET status = COALESCE(v.status, c.status),
      error_code = CASE WHEN v.clear_error THEN NULL ELSE COALESCE(v.error_code, c.error_code) END,
      num_examples = COALESCE(v.num_examples, c.num_examples), bytes_up = c.bytes_up + COALESCE(v.bytes_up, 0),
      loss = COALESCE(v.loss, c.loss), accuracy = COALESCE(v.accuracy, c.accuracy), duration_ms = COALESCE(v.duration_ms, c.duration_ms),
      weight = COALESCE(v.weight, c.weight), update_norm = COALESCE(v.update_norm, c.update_norm),
      distance_to_aggregate = COALESCE(v.distance, c.distance_to_aggregate), outlier = COALESCE(v.outlier, c.outlier), updated_at = $14
    FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::bigint[], $6::bigint[], $7::double precision[], $8::double precision[],
        $9::double precision[], $10::double precision[], $11::double precision[], $12::double precision[], $13::smallint[])
      AS v(client_id, status, clear_error, error_code, num_examples, bytes_up, loss, accuracy, duration_ms, weight, update_norm, distance, outlier)
    WHERE c.job_id = $15 AND c.round = $16 AND c.client_id = v.client_id
    RETURNING COALESCE(v.bytes_up, 0) AS bytes)
  UPDATE jobs SET bytes_up = bytes_up + (SELECT SUM(bytes) FROM changed) WHERE id = $15 AND (SELECT COALESCE(SUM(bytes), 0) FROM changed) <> 0`;

/** Bytes down of a batch as one statement (foldBytesDown made each (round, client) one row). */
const BYTES_DOWN_MANY = `WITH changed AS (
    UPDATE contributions c SET bytes_down = c.bytes_down + v.bytes
    FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS v(round, client_id, bytes)
    WHERE c.job_id = $1 AND c.round = v.round AND c.client_id = v.client_id
    RETURNING v.bytes)
  UPDATE jobs SET bytes_down = bytes_down + (SELECT SUM(bytes) FROM changed) WHERE id = $1 AND (SELECT COALESCE(SUM(bytes), 0) FROM changed) <> 0`;

const column = <T>(changes: readonly ContributionChangeRow[], pick: (patch: ContributionPatch) => T | undefined): (T | null)[] =>
  changes.map(({ patch }) => pick(patch) ?? null);

export class PgContributionRecords implements ContributionsPort {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  updateContribution(jobId: string, round: number, clientId: string, patch: ContributionPatch): void {
    this.updateContributions(jobId, round, [{ clientId, patch }]);
  }

  addBytesDown(jobId: string, round: number, clientId: string, bytes: number): void {
    this.addBytesDownRows(jobId, [{ round, clientId, bytes }]);
  }

  updateContributions(jobId: string, round: number, changes: readonly ContributionChangeRow[]): void {
    if (changes.length === 0) return;
    const rows = foldChanges(changes);
    const values = [
      rows.map((row) => row.clientId),
      column(rows, (patch) => patch.status),
      rows.map(({ patch }) => patch.clearErrorCode === true),
      column(rows, (patch) => patch.errorCode),
      column(rows, (patch) => patch.numExamples),
      column(rows, (patch) => patch.bytesUp),
      column(rows, (patch) => patch.loss),
      column(rows, (patch) => patch.accuracy),
      column(rows, (patch) => patch.durationMs),
      column(rows, (patch) => patch.weight),
      column(rows, (patch) => patch.updateNorm),
      column(rows, (patch) => patch.distanceToAggregate),
      column(rows, (patch) => (patch.outlier === undefined ? undefined : patch.outlier ? 1 : 0)),
      Date.now(),
      jobId,
      round,
    ];
    this.fence.write(jobId, () => this.sql.write(PATCH_MANY, values));
  }

  addBytesDownRows(jobId: string, rows: readonly BytesDownRow[]): void {
    if (rows.length === 0) return;
    const folded = foldBytesDown(rows);
    const values = [jobId, folded.map((row) => row.round), folded.map((row) => row.clientId), folded.map((row) => row.bytes)];
    this.fence.write(jobId, () => this.sql.write(BYTES_DOWN_MANY, values));
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
