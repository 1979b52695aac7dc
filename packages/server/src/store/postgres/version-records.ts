/**
 * The model_versions table on PostgreSQL: each version's weights frame (BYTEA, byte for byte, until the retention
 * policy drops it, version-retention.ts) and its central evaluation.
 */
import { rowsToRead, storePage } from '../keyset-page.js';
import type { ModelVersionRecord } from '../records.js';
import { versionFromRow } from '../row-mappers.js';
import type { KeysetPage, NewModelVersion, StorePage, VersionsPort } from '../store.js';

type StoredVersions = Omit<VersionsPort, 'pruneVersions'>;
import type { LeaseFence } from './lease-fence.js';
import type { SqlSession } from './sql-session.js';

const SUMMARY_COLUMNS = 'job_id, version, round, parent_version, created_at, byte_length, central_accuracy, central_loss, pruned_at';

export class PgVersionRecords implements StoredVersions {
  constructor(
    private readonly sql: SqlSession,
    private readonly fence: LeaseFence,
  ) {}

  /** Called inside the transaction of the job or round that produced the version. */
  insert(jobId: string, version: NewModelVersion): void {
    const insert = (): void => this.sql.write(
      `INSERT INTO model_versions (job_id, version, round, parent_version, created_at, byte_length, weights, central_accuracy, central_loss)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        jobId,
        version.version,
        version.round ?? null,
        version.parentVersion ?? null,
        version.createdAt,
        version.weights.byteLength,
        version.weights,
        version.centralAccuracy ?? null,
        version.centralLoss ?? null,
      ],
    );
    this.fence.write(jobId, insert);
  }

  setVersionEvaluation(jobId: string, version: number, accuracy: number, loss: number): void {
    this.fence.write(jobId, () => this.sql.write('UPDATE model_versions SET central_accuracy = $1, central_loss = $2 WHERE job_id = $3 AND version = $4', [accuracy, loss, jobId, version]));
  }

  listVersions(jobId: string): ModelVersionRecord[] {
    return this.sql.all(`SELECT ${SUMMARY_COLUMNS} FROM model_versions WHERE job_id = $1 ORDER BY version`, [jobId]).map(versionFromRow);
  }

  /** A range of the (job_id, version) primary key; the total is counted from the same index. */
  pageVersions(jobId: string, page: KeysetPage<number>): StorePage<ModelVersionRecord> {
    const rows = this.sql.all(`SELECT ${SUMMARY_COLUMNS} FROM model_versions WHERE job_id = $1 AND version > $2 ORDER BY version LIMIT $3`, [
      jobId,
      page.after ?? -1,
      rowsToRead(page.limit),
    ]);
    const total = Number(this.sql.get('SELECT COUNT(*) AS n FROM model_versions WHERE job_id = $1', [jobId])?.['n']);
    return storePage(rows, page.limit, total, versionFromRow);
  }

  getVersion(jobId: string, version: number): ModelVersionRecord | undefined {
    const row = this.sql.get(`SELECT ${SUMMARY_COLUMNS} FROM model_versions WHERE job_id = $1 AND version = $2`, [jobId, version]);
    return row === undefined ? undefined : versionFromRow(row);
  }

  getVersionWeights(jobId: string, version: number): Uint8Array | undefined {
    const row = this.sql.get('SELECT weights FROM model_versions WHERE job_id = $1 AND version = $2 AND pruned_at IS NULL', [jobId, version]);
    return row === undefined ? undefined : (row['weights'] as Uint8Array);
  }
}
