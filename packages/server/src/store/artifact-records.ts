/** The edge_artifacts table: edge-optimised artifacts built from model versions (weights frame, size, accuracy, latency). */
import type Database from 'better-sqlite3';
import type { CandidateFigures, EdgeArtifact } from '@shoal/edge';
import type { Row } from './row-values.js';

/** What the build considered, kept for the record: the float base, every candidate, what was skipped and where it ran. */
export interface ArtifactBuildReport {
  base: CandidateFigures;
  candidates: CandidateFigures[];
  skipped: string[];
  backend: string;
  buildMs: number;
  /** The request, as validated. */
  settings: Record<string, unknown>;
}

/** A stored artifact: the built artifact (its topology, tensors, weights frame and the chosen candidate's figures), where it came from and the build report. */
export interface ArtifactRecord extends Omit<EdgeArtifact, 'name' | 'base' | 'candidates' | 'skipped'> {
  id: string;
  jobId: string;
  version: number;
  createdAt: number;
  /** The chosen candidate, e.g. `units-25%+sparse-50%+int8-channel`. */
  candidate: string;
  report: ArtifactBuildReport;
}

/** A listing leaves the weights in the database. */
export type ArtifactSummary = Omit<ArtifactRecord, 'weights'>;

const SUMMARY_COLUMNS =
  'id, job_id, version, created_at, candidate, topology, tensor_specs, codec, size_bytes, gzip_bytes, accuracy, latency_p50_ms, latency_p99_ms, parameter_count, sparsity, min_accuracy, held_out_examples, report';

function summaryFromRow(row: Row): ArtifactSummary {
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

export class ArtifactRecords {
  constructor(private readonly db: Database.Database) {}

  insert(artifact: ArtifactRecord): void {
    this.db
      .prepare(
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
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, weights FROM edge_artifacts WHERE id = ?`).get(id) as Row | undefined;
    if (row === undefined) return undefined;
    const weights = row['weights'] as Buffer;
    return { ...summaryFromRow(row), weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) };
  }

  /** Oldest first; only the job's when `jobId` is given. */
  list(filter: { jobId?: string | undefined } = {}): ArtifactSummary[] {
    const rows = (
      filter.jobId === undefined
        ? this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM edge_artifacts ORDER BY created_at, id`).all()
        : this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM edge_artifacts WHERE job_id = ? ORDER BY created_at, id`).all(filter.jobId)
    ) as Row[];
    return rows.map(summaryFromRow);
  }

  count(): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM edge_artifacts').get() as Row)['n']);
  }
}
