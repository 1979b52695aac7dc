/** The edge_artifacts table: edge-optimised artifacts built from model versions (weights frame, size, accuracy, latency). */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import type { ArtifactRecord, ArtifactSummary } from './records.js';
import type { Row } from './row-values.js';
import type { ArtifactsPort } from './store.js';

export type { ArtifactBuildReport, ArtifactRecord, ArtifactSummary } from './records.js';

export const SUMMARY_COLUMNS =
  'id, job_id, version, created_at, candidate, topology, tensor_specs, codec, size_bytes, gzip_bytes, accuracy, latency_p50_ms, latency_p99_ms, parameter_count, sparsity, min_accuracy, held_out_examples, report';

export function summaryFromRow(row: Row): ArtifactSummary {
  return {
    id: String(row['id']),
    jobId: String(row['job_id']),
    version: Number(row['version']),
    createdAt: Number(row['created_at']),
    candidate: String(row['candidate']),
    topology: JSON.parse(String(row['topology'])),
    tensorSpecs: JSON.parse(String(row['tensor_specs'])),
    codec: JSON.parse(String(row['codec'])),
    sizeBytes: Number(row['size_bytes']),
    gzipBytes: Number(row['gzip_bytes']),
    accuracy: Number(row['accuracy']),
    latencyP50Ms: Number(row['latency_p50_ms']),
    latencyP99Ms: Number(row['latency_p99_ms']),
    parameterCount: Number(row['parameter_count']),
    sparsity: Number(row['sparsity']),
    minAccuracy: Number(row['min_accuracy']),
    heldOutExamples: Number(row['held_out_examples']),
    report: JSON.parse(String(row['report'])),
  };
}

export class ArtifactRecords implements ArtifactsPort {
  private readonly sql: Statements;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
  }

  insert(artifact: ArtifactRecord): void {
    this.sql(
      `INSERT INTO edge_artifacts (id, job_id, version, created_at, candidate, topology, tensor_specs, codec, weights, size_bytes, gzip_bytes,
         accuracy, latency_p50_ms, latency_p99_ms, parameter_count, sparsity, min_accuracy, held_out_examples, report)
       VALUES (@id, @jobId, @version, @createdAt, @candidate, @topology, @tensorSpecs, @codec, @weights, @sizeBytes, @gzipBytes,
         @accuracy, @latencyP50Ms, @latencyP99Ms, @parameterCount, @sparsity, @minAccuracy, @heldOutExamples, @report)`,
    )
      .run({
        ...artifact,
        topology: JSON.stringify(artifact.topology),
        tensorSpecs: JSON.stringify(artifact.tensorSpecs),
        codec: JSON.stringify(artifact.codec),
        weights: Buffer.from(artifact.weights.buffer, artifact.weights.byteOffset, artifact.weights.byteLength),
        report: JSON.stringify(artifact.report),
      });
  }

  /** The artifact with its weights frame. */
  get(id: string): ArtifactRecord | undefined {
    const row = this.sql(`SELECT ${SUMMARY_COLUMNS}, weights FROM edge_artifacts WHERE id = ?`).get(id) as Row | undefined;
    if (row === undefined) return undefined;
    const weights = row['weights'] as Buffer;
    return { ...summaryFromRow(row), weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) };
  }

  /** Oldest first; only the job's when `jobId` is given. */
  list(filter: { jobId?: string | undefined } = {}): ArtifactSummary[] {
    const rows = (
      filter.jobId === undefined
        ? this.sql(`SELECT ${SUMMARY_COLUMNS} FROM edge_artifacts ORDER BY created_at, id`).all()
        : this.sql(`SELECT ${SUMMARY_COLUMNS} FROM edge_artifacts WHERE job_id = ? ORDER BY created_at, id`).all(filter.jobId)
    ) as Row[];
    return rows.map(summaryFromRow);
  }

  count(): number {
    return Number((this.sql('SELECT COUNT(*) AS n FROM edge_artifacts').get() as Row)['n']);
  }
}
