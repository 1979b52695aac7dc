/**
 * Keeps every registered client's serving assignment equal to what the rules resolve (assignment-resolver.ts): stores
 * it, and sends `serving:assign` to online clients whose assignment changed, and to each client after its hello.
 */
import type { ServingAssign } from '@shoal/protocol';
import type { Logger } from 'pino';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { Store } from '../store/store.js';
import { resolveAssignment } from './assignment-resolver.js';
import type { Assignment, Deployment } from './deployment.js';

/** Where a deployment's model is downloaded: the job's version, or the edge artifact built from it. */
export function deploymentUrls(deployment: Pick<Deployment, 'jobId' | 'version' | 'artifactId'>): { modelUrl: string; weightsUrl: string } {
  if (deployment.artifactId !== undefined) {
    const artifact = `/api/v1/artifacts/${encodeURIComponent(deployment.artifactId)}`;
    return { modelUrl: `${artifact}/model.json`, weightsUrl: `${artifact}/weights` };
  }
  const job = `/api/v1/jobs/${encodeURIComponent(deployment.jobId)}`;
  return { modelUrl: `${job}/model.json`, weightsUrl: `${job}/models/${deployment.version}/weights` };
}

export function servingAssignMessage(deployment: Deployment): ServingAssign {
  const message: ServingAssign = {
    deploymentId: deployment.id,
    jobId: deployment.jobId,
    version: deployment.version,
    ...deploymentUrls(deployment),
    telemetryIntervalMs: deployment.telemetryIntervalMs,
  };
  if (deployment.artifactId !== undefined) message.artifactId = deployment.artifactId;
  return message;
}

/**
 * How long syncClient may use the active deployments it last read: a hello would otherwise read them every time.
 * A change made on this node refreshes them at once (syncAll); one made on another node is seen within this time.
 */
export const ACTIVE_DEPLOYMENTS_TTL_MS = 1_000;

export class AssignmentSync {
  private activeRead: { at: number; deployments: Deployment[] } | undefined;

  constructor(
    private readonly store: Store,
    private readonly registry: ClientRegistry,
    private readonly logger: Logger,
  ) {}

  /** Re-resolves every registered client after a deployment changed; returns how many assignments changed. */
  syncAll(now: number): number {
    const active = this.store.serving.active();
    this.activeRead = { at: now, deployments: active };
    const byId = new Map(active.map((deployment) => [deployment.id, deployment]));
    const current = this.store.serving.allAssignments();
    const changed: Assignment[] = [];
    const removed: string[] = [];
    const revoked = new Set(this.store.devices.listDevices().filter((device) => device.revokedAt !== undefined).map((device) => device.clientId));
    for (const client of this.store.listClients()) {
      const labels = this.registry.get(client.id)?.capabilities.labels ?? client.capabilities.labels;
      // A revoked device is served nothing and counts towards no deployment.
      const resolved = revoked.has(client.id) ? undefined : resolveAssignment({ id: client.id, labels }, active);
      const previous = current.get(client.id);
      if (resolved === undefined) {
        if (previous !== undefined) removed.push(client.id);
      } else if (previous?.deploymentId !== resolved.deploymentId || previous.canary !== resolved.canary) {
        changed.push({ clientId: client.id, ...resolved, assignedAt: now });
      }
    }
    this.store.serving.saveAssignments(changed, removed);
    let sent = 0;
    for (const assignment of changed) {
      const deployment = byId.get(assignment.deploymentId)!;
      if (this.registry.send(assignment.clientId, 'serving:assign', servingAssignMessage(deployment))) sent += 1;
    }
    if (changed.length + removed.length > 0) this.logger.info({ changed: changed.length, removed: removed.length, sent }, 'serving assignments changed');
    return changed.length + removed.length;
  }

  /** A device was revoked: its assignment goes at once, so deployments stop counting it. */
  forgetClient(clientId: string): void {
    if (this.store.serving.assignment(clientId) !== undefined) this.store.serving.saveAssignments([], [clientId]);
  }

  /** After hello: the client's labels may have changed, so its assignment is resolved again, stored, and sent if it has one. */
  syncClient(clientId: string, now: number): void {
    const client = this.registry.get(clientId);
    if (client === undefined) return;
    const active = this.activeDeployments(now);
    // With nothing deployed there is nothing to assign, and syncAll removed every assignment when the last one ended.
    if (active.length === 0) return;
    const resolved = resolveAssignment({ id: clientId, labels: client.capabilities.labels }, active);
    const previous = this.store.serving.assignment(clientId);
    if (resolved === undefined) {
      if (previous !== undefined) this.store.serving.saveAssignments([], [clientId]);
      return;
    }
    if (previous?.deploymentId !== resolved.deploymentId || previous.canary !== resolved.canary) {
      this.store.serving.saveAssignments([{ clientId, ...resolved, assignedAt: now }]);
    }
    const deployment = active.find((candidate) => candidate.id === resolved.deploymentId)!;
    this.registry.send(clientId, 'serving:assign', servingAssignMessage(deployment));
  }

  private activeDeployments(now: number): Deployment[] {
    const read = this.activeRead;
    if (read !== undefined && now >= read.at && now - read.at < ACTIVE_DEPLOYMENTS_TTL_MS) return read.deployments;
    const deployments = this.store.serving.active();
    this.activeRead = { at: now, deployments };
    return deployments;
  }
}
