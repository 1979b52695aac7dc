/**
 * The model_versions table: each version's weights frame (kept byte for byte until the job's retention policy drops
 * it, version-retention.ts) and its central evaluation.
 */
import type Database from 'better-sqlite3';
import { rowsToRead, storePage } from './keyset-page.js';
import { statements, type Statements } from './prepared-statements.js';
import type { ModelVersionRecord } from './records.js';
import { versionFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { KeysetPage, NewModelVersion, StorePage } from './store.js';

const SUMMARY_COLUMNS = 'job_id, version, round, parent_version, created_at, byte_length, central_accuracy, central_loss, pruned_at';

export class VersionRecords {
  private readonly sql: Statements;

  constructor(db: Database.Database) {
    this.sql = statements(db);
  }

  /** Called inside the transaction of the job or round that produced the version. */
  insert(jobId: string, version: NewModelVersion): void {
    this.sql(
      `INSERT INTO model_versions (job_id, version, round, parent_version, created_at, byte_length, weights, central_accuracy, central_loss)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      jobId,
      version.version,
      version.round ?? null,
      version.parentVersion ?? null,
      version.createdAt,
      version.weights.byteLength,
      Buffer.from(version.weights.buffer, version.weights.byteOffset, version.weights.byteLength),
      version.centralAccuracy ?? null,
      version.centralLoss ?? null,
    );
  }

  setVersionEvaluation(jobId: string, version: number, accuracy: number, loss: number): void {
    this.sql('UPDATE model_versions SET central_accuracy = ?, central_loss = ? WHERE job_id = ? AND version = ?').run(accuracy, loss, jobId, version);
  }

  listVersions(jobId: string): ModelVersionRecord[] {
    return (this.sql(`SELECT ${SUMMARY_COLUMNS} FROM model_versions WHERE job_id = ? ORDER BY version`).all(jobId) as Row[]).map(versionFromRow);
  }

  /** A range of the (job_id, version) primary key; the total is counted from the same index. */
  pageVersions(jobId: string, page: KeysetPage<number>): StorePage<ModelVersionRecord> {
    const rows = this.sql(`SELECT ${SUMMARY_COLUMNS} FROM model_versions WHERE job_id = ? AND version > ? ORDER BY version LIMIT ?`).all(
      jobId,
      page.after ?? -1,
      rowsToRead(page.limit),
    ) as Row[];
    const total = Number((this.sql('SELECT COUNT(*) AS n FROM model_versions WHERE job_id = ?').get(jobId) as Row)['n']);
    return storePage(rows, page.limit, total, versionFromRow);
  }

  getVersion(jobId: string, version: number): ModelVersionRecord | undefined {
    const row = this.sql(`SELECT ${SUMMARY_COLUMNS} FROM model_versions WHERE job_id = ? AND version = ?`).get(jobId, version) as Row | undefined;
    return row === undefined ? undefined : versionFromRow(row);
  }

  /** Undefined for a version that does not exist and for one whose weights were pruned. */
  getVersionWeights(jobId: string, version: number): Buffer | undefined {
    const row = this.sql('SELECT weights, pruned_at FROM model_versions WHERE job_id = ? AND version = ?').get(jobId, version) as Row | undefined;
    return row === undefined || row['pruned_at'] !== null ? undefined : (row['weights'] as Buffer);
  }
}
