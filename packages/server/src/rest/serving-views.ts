/** Wire views of deployments and their drift, the one place serving records become protocol messages. */
import type { DeploymentDriftView, DeploymentView, TelemetrySummary } from '@shoal/protocol';
import type { ClientRegistry } from '../fleet/client-registry.js';
import { deploymentUrls } from '../serving/assignment-sync.js';
import type { Deployment } from '../serving/deployment.js';
import { driftReport, type DriftScores } from '../serving/drift-report.js';
import { rollUpTelemetry, type TelemetryRollup } from '../serving/telemetry-rollup.js';
import type { Store } from '../store/store.js';

/** Drops undefined fields, which JSON Schema's additionalProperties/required treat differently from absent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toTelemetrySummaryView(rollup: TelemetryRollup): TelemetrySummary {
  return compact({ ...rollup });
}

export function toDeploymentView(store: Store, registry: ClientRegistry, deployment: Deployment): DeploymentView {
  const assigned = store.serving.assignedClients(deployment.id);
  const telemetry = rollUpTelemetry(store.serving.windows(deployment.id));
  return compact({
    id: deployment.id,
    jobId: deployment.jobId,
    version: deployment.version,
    artifactId: deployment.artifactId,
    cohort: deployment.cohort,
    status: deployment.status,
    statusReason: deployment.statusReason,
    canary: deployment.canary,
    observeUntil: deployment.canary === undefined ? undefined : deployment.createdAt + deployment.canary.observeMs,
    previousDeploymentId: deployment.previousDeploymentId,
    telemetryIntervalMs: deployment.telemetryIntervalMs,
    driftThreshold: deployment.driftThreshold,
    createdAt: deployment.createdAt,
    updatedAt: deployment.updatedAt,
    createdBy: deployment.createdBy,
    ...deploymentUrls(deployment),
    reference: deployment.reference,
    history: store.serving.history(deployment.id).map((event) => compact({ at: event.at, status: event.status, actor: event.actor, reason: event.reason })),
    clients: {
      assigned: assigned.length,
      online: assigned.filter((client) => registry.isOnline(client.clientId)).length,
      canary: assigned.filter((client) => client.canary).length,
    },
    telemetry: toTelemetrySummaryView(telemetry),
  });
}

const scores = (drift: DriftScores) => compact({ inputPsi: drift.inputPsi, classPsi: drift.classPsi });

export function toDriftView(store: Store, deployment: Deployment, page: { offset: number; limit: number }): DeploymentDriftView {
  const report = driftReport(deployment.reference, store.serving.windows(deployment.id), deployment.driftThreshold);
  return {
    deploymentId: deployment.id,
    threshold: deployment.driftThreshold,
    hasReference: deployment.reference !== undefined,
    cohort: { cohort: deployment.cohort, clients: report.cohort.clients, ...scores(report.cohort), flagged: report.cohort.flagged, flaggedClients: report.cohort.flaggedClients },
    clients: report.clients
      .slice(page.offset, page.offset + page.limit)
      .map((client) => compact({ clientId: client.clientId, windows: client.windows, ...scores(client), inputMean: client.inputMean, flagged: client.flagged })),
    total: report.clients.length,
  };
}
