/** The serving tables: deployments and their history, each client's current assignment, and bounded telemetry windows. */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import type { CanaryPolicy } from '@shoal/protocol';
import type { Assignment, Deployment, DeploymentEvent, DeploymentStatus, TelemetryWindow } from '../serving/deployment.js';
import { optionalString, type Row } from './row-values.js';
import type { ServingPort, StatusChange } from './store.js';

export type { StatusChange } from './store.js';

export function deploymentEventFromRow(row: Row): DeploymentEvent {
  return {
    deploymentId: String(row['deployment_id']),
    at: Number(row['at']),
    status: String(row['status']) as DeploymentStatus,
    actor: String(row['actor']),
    reason: optionalString(row['reason']),
  };
}

export function deploymentFromRow(row: Row): Deployment {
  const canary = optionalString(row['canary']);
  const reference = optionalString(row['reference']);
  return {
    id: String(row['id']),
    jobId: String(row['job_id']),
    version: Number(row['version']),
    artifactId: optionalString(row['artifact_id']),
    cohort: JSON.parse(String(row['cohort'])) as string[],
    canary: canary === undefined ? undefined : (JSON.parse(canary) as CanaryPolicy),
    status: String(row['status']) as DeploymentStatus,
    statusReason: optionalString(row['status_reason']),
    previousDeploymentId: optionalString(row['previous_deployment_id']),
    telemetryIntervalMs: Number(row['telemetry_interval_ms']),
    driftThreshold: Number(row['drift_threshold']),
    reference: reference === undefined ? undefined : (JSON.parse(reference) as Deployment['reference']),
    numClasses: Number(row['num_classes']),
    createdBy: String(row['created_by']),
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
  };
}

export function windowFromRow(row: Row): TelemetryWindow {
  return {
    deploymentId: String(row['deployment_id']),
    clientId: String(row['client_id']),
    windowStartMs: Number(row['window_start_ms']),
    windowEndMs: Number(row['window_end_ms']),
    receivedAt: Number(row['received_at']),
    requests: Number(row['requests']),
    errors: Number(row['errors']),
    latencyMs: { p50: Number(row['latency_p50']), p95: Number(row['latency_p95']), p99: Number(row['latency_p99']), max: Number(row['latency_max']) },
    classCounts: JSON.parse(String(row['class_counts'])) as number[],
    inputHistogram: JSON.parse(String(row['input_histogram'])) as number[],
    inputMean: Number(row['input_mean']),
    inputStd: Number(row['input_std']),
    labelledCount: Number(row['labelled_count']),
    labelledCorrect: Number(row['labelled_correct']),
  };
}

export class ServingRecords implements ServingPort {
  private readonly sql: Statements;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
  }

  /** Inserts a deployment and the status changes it causes (the cohort's previous one superseded), in one transaction. */
  insertDeployment(deployment: Deployment, changes: readonly StatusChange[]): void {
    this.db.transaction(() => {
      this.sql(
        `INSERT INTO deployments (id, job_id, version, artifact_id, cohort, canary, status, status_reason, previous_deployment_id, telemetry_interval_ms,
           drift_threshold, reference, num_classes, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
        .run(
          deployment.id, deployment.jobId, deployment.version, deployment.artifactId ?? null, JSON.stringify(deployment.cohort),
          deployment.canary === undefined ? null : JSON.stringify(deployment.canary), deployment.status, deployment.statusReason ?? null,
          deployment.previousDeploymentId ?? null, deployment.telemetryIntervalMs, deployment.driftThreshold,
          deployment.reference === undefined ? null : JSON.stringify(deployment.reference), deployment.numClasses, deployment.createdBy,
          deployment.createdAt, deployment.updatedAt,
        );
      this.appendEvent({ deploymentId: deployment.id, at: deployment.createdAt, status: deployment.status, actor: deployment.createdBy, reason: deployment.statusReason });
      this.applyChanges(changes, deployment.createdBy, deployment.createdAt);
    })();
  }

  /** Changes the status of several deployments at once (a promotion supersedes, a rollback restores). */
  changeStatus(changes: readonly StatusChange[], actor: string, at: number): void {
    this.db.transaction(() => this.applyChanges(changes, actor, at))();
  }

  private applyChanges(changes: readonly StatusChange[], actor: string, at: number): void {
    const update = this.sql('UPDATE deployments SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?');
    for (const change of changes) {
      update.run(change.status, change.reason ?? null, at, change.id);
      this.appendEvent({ deploymentId: change.id, at, status: change.status, actor, reason: change.reason });
    }
  }

  private appendEvent(event: DeploymentEvent): void {
    this.sql('INSERT INTO deployment_events (deployment_id, at, status, actor, reason) VALUES (?, ?, ?, ?, ?)')
      .run(event.deploymentId, event.at, event.status, event.actor, event.reason ?? null);
  }

  get(id: string): Deployment | undefined {
    const row = this.sql('SELECT * FROM deployments WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : deploymentFromRow(row);
  }

  /** Newest first. */
  list(filter: { jobId?: string | undefined; status?: DeploymentStatus | undefined } = {}): Deployment[] {
    const rows = this.sql('SELECT * FROM deployments WHERE (@jobId IS NULL OR job_id = @jobId) AND (@status IS NULL OR status = @status) ORDER BY created_at DESC, id DESC')
      .all({ jobId: filter.jobId ?? null, status: filter.status ?? null }) as Row[];
    return rows.map(deploymentFromRow);
  }

  /** Deployments serving clients now: status canary or serving. */
  active(): Deployment[] {
    return (this.sql("SELECT * FROM deployments WHERE status IN ('canary', 'serving') ORDER BY created_at DESC, id DESC").all() as Row[]).map(deploymentFromRow);
  }

  history(deploymentId: string): DeploymentEvent[] {
    const rows = this.sql('SELECT * FROM deployment_events WHERE deployment_id = ? ORDER BY id').all(deploymentId) as Row[];
    return rows.map(deploymentEventFromRow);
  }

  // Assignments
  assignment(clientId: string): Assignment | undefined {
    const row = this.sql('SELECT * FROM serving_assignments WHERE client_id = ?').get(clientId) as Row | undefined;
    return row === undefined
      ? undefined
      : { clientId: String(row['client_id']), deploymentId: String(row['deployment_id']), canary: Number(row['canary']) === 1, assignedAt: Number(row['assigned_at']) };
  }

  allAssignments(): Map<string, Assignment> {
    const rows = this.sql('SELECT * FROM serving_assignments').all() as Row[];
    return new Map(
      rows.map((row) => [
        String(row['client_id']),
        { clientId: String(row['client_id']), deploymentId: String(row['deployment_id']), canary: Number(row['canary']) === 1, assignedAt: Number(row['assigned_at']) },
      ]),
    );
  }

  /** Writes new assignments and removes the clients in `removed`, in one transaction. */
  saveAssignments(assignments: readonly Assignment[], removed: readonly string[] = []): void {
    if (assignments.length === 0 && removed.length === 0) return;
    this.db.transaction(() => {
      const upsert = this.sql(
      `INSERT INTO serving_assignments (client_id, deployment_id, canary, assigned_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(client_id) DO UPDATE SET deployment_id = excluded.deployment_id, canary = excluded.canary, assigned_at = excluded.assigned_at`,
    );
    for (const a of assignments) upsert.run(a.clientId, a.deploymentId, a.canary ? 1 : 0, a.assignedAt);
    const remove = this.sql('DELETE FROM serving_assignments WHERE client_id = ?');
    for (const clientId of removed) remove.run(clientId);
  })();
}

assignedClients(deploymentId: string): { clientId: string; canary: boolean }[] {
  const rows = this.sql('SELECT client_id, canary FROM serving_assignments WHERE deployment_id = ?').all(deploymentId) as Row[];
  return rows.map((row) => ({ clientId: String(row['client_id']), canary: Number(row['canary']) === 1 }));
}

// Telemetry
/** Stores one window and drops the client's windows beyond the newest `keep`. */
insertWindow(window: TelemetryWindow, keep: number): void {
  this.db.transaction(() => {
    this.sql(
        `INSERT INTO telemetry_windows (deployment_id, client_id, window_start_ms, window_end_ms, received_at, requests, errors, latency_p50, latency_p95,
           latency_p99, latency_max, class_counts, input_histogram, input_mean, input_std, labelled_count, labelled_correct)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
        .run(
          window.deploymentId, window.clientId, window.windowStartMs, window.windowEndMs, window.receivedAt, window.requests, window.errors,
          window.latencyMs.p50, window.latencyMs.p95, window.latencyMs.p99, window.latencyMs.max, JSON.stringify(window.classCounts),
          JSON.stringify(window.inputHistogram), window.inputMean, window.inputStd, window.labelledCount, window.labelledCorrect,
        );
      this.sql(
        `DELETE FROM telemetry_windows WHERE client_id = @clientId AND id <= (
           SELECT id FROM telemetry_windows WHERE client_id = @clientId ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
      )
        .run({ clientId: window.clientId, keep });
    })();
  }

  windows(deploymentId: string): TelemetryWindow[] {
    return (this.sql('SELECT * FROM telemetry_windows WHERE deployment_id = ? ORDER BY id').all(deploymentId) as Row[]).map(windowFromRow);
  }
}
