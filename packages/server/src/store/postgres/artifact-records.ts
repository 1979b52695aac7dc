/** The edge_artifacts table on PostgreSQL: edge-optimised artifacts built from model versions, weights as BYTEA. */
import { SUMMARY_COLUMNS, summaryFromRow } from '../artifact-records.js';
import type { ArtifactRecord, ArtifactSummary } from '../records.js';
import type { ArtifactsPort } from '../store.js';
import type { SqlSession } from './sql-session.js';

export class PgArtifactRecords implements ArtifactsPort {
  constructor(private readonly sql: SqlSession) {}

  insert(artifact: ArtifactRecord): void {
    const a = artifact;
    this.sql.run(
      `INSERT INTO edge_artifacts (id, job_id, version, created_at, candidate, topology, tensor_specs, codec, weights, size_bytes, gzip_bytes,
         accuracy, latency_p50_ms, latency_p99_ms, parameter_count, sparsity, min_accuracy, held_out_examples, report)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        a.id, a.jobId, a.version, a.createdAt, a.candidate, JSON.stringify(a.topology), JSON.stringify(a.tensorSpecs), JSON.stringify(a.codec), a.weights,
        a.sizeBytes, a.gzipBytes, a.accuracy, a.latencyP50Ms, a.latencyP99Ms, a.parameterCount, a.sparsity, a.minAccuracy, a.heldOutExamples, JSON.stringify(a.report),
      ],
    );
  }

  get(id: string): ArtifactRecord | undefined {
    const row = this.sql.get(`SELECT ${SUMMARY_COLUMNS}, weights FROM edge_artifacts WHERE id = $1`, [id]);
    return row === undefined ? undefined : { ...summaryFromRow(row), weights: row['weights'] as Uint8Array };
  }

  list(filter: { jobId?: string | undefined } = {}): ArtifactSummary[] {
    return this.sql
      .all(`SELECT ${SUMMARY_COLUMNS} FROM edge_artifacts WHERE ($1::text IS NULL OR job_id = $1) ORDER BY created_at, id`, [filter.jobId ?? null])
      .map(summaryFromRow);
  }

  count(): number {
    return Number(this.sql.get('SELECT COUNT(*) AS n FROM edge_artifacts')?.['n']);
  }
}
