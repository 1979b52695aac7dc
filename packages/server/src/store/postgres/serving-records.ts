/** The serving tables on PostgreSQL: deployments and their history, client assignments, and bounded telemetry windows. */
import type { Assignment, Deployment, DeploymentEvent, DeploymentStatus, TelemetryWindow } from '../../serving/deployment.js';
import type { Row } from '../row-values.js';
import { deploymentEventFromRow, deploymentFromRow, windowFromRow } from '../serving-records.js';
import type { ServingPort, StatusChange } from '../store.js';
import type { SqlSession } from './sql-session.js';

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

function assignmentFromRow(row: Row): Assignment {
  return { clientId: String(row['client_id']), deploymentId: String(row['deployment_id']), canary: Number(row['canary']) === 1, assignedAt: Number(row['assigned_at']) };
}

export class PgServingRecords implements ServingPort {
  constructor(private readonly sql: SqlSession) {}

  insertDeployment(deployment: Deployment, changes: readonly StatusChange[]): void {
    this.sql.transaction(() => {
      const d = deployment;
      this.sql.run(
        `INSERT INTO deployments (id, job_id, version, artifact_id, cohort, canary, status, status_reason, previous_deployment_id, telemetry_interval_ms,
           drift_threshold, reference, num_classes, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          d.id, d.jobId, d.version, d.artifactId ?? null, JSON.stringify(d.cohort), json(d.canary), d.status, d.statusReason ?? null, d.previousDeploymentId ?? null,
          d.telemetryIntervalMs, d.driftThreshold, json(d.reference), d.numClasses, d.createdBy, d.createdAt, d.updatedAt,
        ],
      );
      this.appendEvent({ deploymentId: d.id, at: d.createdAt, status: d.status, actor: d.createdBy, reason: d.statusReason });
      this.applyChanges(changes, d.createdBy, d.createdAt);
    });
  }

  changeStatus(changes: readonly StatusChange[], actor: string, at: number): void {
    this.sql.transaction(() => this.applyChanges(changes, actor, at));
  }

  private applyChanges(changes: readonly StatusChange[], actor: string, at: number): void {
    for (const change of changes) {
      this.sql.run('UPDATE deployments SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4', [change.status, change.reason ?? null, at, change.id]);
      this.appendEvent({ deploymentId: change.id, at, status: change.status, actor, reason: change.reason });
    }
  }

  private appendEvent(event: DeploymentEvent): void {
    this.sql.run('INSERT INTO deployment_events (deployment_id, at, status, actor, reason) VALUES ($1, $2, $3, $4, $5)', [
      event.deploymentId,
      event.at,
      event.status,
      event.actor,
      event.reason ?? null,
    ]);
  }

  get(id: string): Deployment | undefined {
    const row = this.sql.get('SELECT * FROM deployments WHERE id = $1', [id]);
    return row === undefined ? undefined : deploymentFromRow(row);
  }

  list(filter: { jobId?: string | undefined; status?: DeploymentStatus | undefined } = {}): Deployment[] {
    return this.sql
      .all('SELECT * FROM deployments WHERE ($1::text IS NULL OR job_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, id DESC', [
        filter.jobId ?? null,
        filter.status ?? null,
      ])
      .map(deploymentFromRow);
  }

  active(): Deployment[] {
    return this.sql.all("SELECT * FROM deployments WHERE status IN ('canary', 'serving') ORDER BY created_at DESC, id DESC").map(deploymentFromRow);
  }

  history(deploymentId: string): DeploymentEvent[] {
    return this.sql.all('SELECT * FROM deployment_events WHERE deployment_id = $1 ORDER BY id', [deploymentId]).map(deploymentEventFromRow);
  }

  assignment(clientId: string): Assignment | undefined {
    const row = this.sql.get('SELECT * FROM serving_assignments WHERE client_id = $1', [clientId]);
    return row === undefined ? undefined : assignmentFromRow(row);
  }

  allAssignments(): Map<string, Assignment> {
    return new Map(this.sql.all('SELECT * FROM serving_assignments').map((row) => [String(row['client_id']), assignmentFromRow(row)]));
  }

  /** One transaction, one statement per direction: the assignments go as parallel arrays. */
  saveAssignments(assignments: readonly Assignment[], removed: readonly string[] = []): void {
    if (assignments.length === 0 && removed.length === 0) return;
    this.sql.transaction(() => {
      if (assignments.length > 0) {
        this.sql.run(
          `INSERT INTO serving_assignments (client_id, deployment_id, canary, assigned_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[])
           ON CONFLICT (client_id) DO UPDATE SET deployment_id = excluded.deployment_id, canary = excluded.canary, assigned_at = excluded.assigned_at`,
          [assignments.map((a) => a.clientId), assignments.map((a) => a.deploymentId), assignments.map((a) => (a.canary ? 1 : 0)), assignments.map((a) => a.assignedAt)],
        );
      }
      if (removed.length > 0) this.sql.run('DELETE FROM serving_assignments WHERE client_id = ANY($1::text[])', [removed]);
    });
  }

  assignedClients(deploymentId: string): { clientId: string; canary: boolean }[] {
    return this.sql
      .all('SELECT client_id, canary FROM serving_assignments WHERE deployment_id = $1', [deploymentId])
      .map((row) => ({ clientId: String(row['client_id']), canary: Number(row['canary']) === 1 }));
  }

  insertWindow(window: TelemetryWindow, keep: number): void {
    const w = window;
    this.sql.transaction(() => {
      this.sql.run(
        `INSERT INTO telemetry_windows (deployment_id, client_id, window_start_ms, window_end_ms, received_at, requests, errors, latency_p50, latency_p95,
           latency_p99, latency_max, class_counts, input_histogram, input_mean, input_std, labelled_count, labelled_correct)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          w.deploymentId, w.clientId, w.windowStartMs, w.windowEndMs, w.receivedAt, w.requests, w.errors, w.latencyMs.p50, w.latencyMs.p95, w.latencyMs.p99,
          w.latencyMs.max, JSON.stringify(w.classCounts), JSON.stringify(w.inputHistogram), w.inputMean, w.inputStd, w.labelledCount, w.labelledCorrect,
        ],
      );
      this.sql.run(
        `DELETE FROM telemetry_windows WHERE client_id = $1 AND id <= (SELECT id FROM telemetry_windows WHERE client_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
        [w.clientId, keep],
      );
    });
  }

  windows(deploymentId: string): TelemetryWindow[] {
    return this.sql.all('SELECT * FROM telemetry_windows WHERE deployment_id = $1 ORDER BY id', [deploymentId]).map(windowFromRow);
  }
}
