/**
 * Edge serving over REST: promote a version to a cohort (optionally through a canary), list and inspect deployments
 * with telemetry and drift, roll a deployment back, or roll a cohort back to an earlier version in one call.
 */
import type { Request, Response } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { AuditLog } from '../auth/audit-log.js';
import { audited, principalOf, setAuditTarget } from '../auth/rest-guard.js';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { DeploymentStatus } from '../serving/deployment.js';
import type { DeploymentService } from '../serving/deployment-service.js';
import type { Store } from '../store/store.js';
import type { ApiRoutes } from './api-routes.js';
import { noBody } from './json-body.js';
import { queryChoice, queryInteger, queryString } from './query-params.js';
import { toDeploymentView, toDriftView } from './serving-views.js';

const STATUSES: readonly DeploymentStatus[] = ['canary', 'serving', 'superseded', 'rolled_back'];
const deploymentTarget = (request: { params: Record<string, unknown> }): string => `deployment:${String(request.params['id'])}`;

function jsonBody(request: Request, what: string): unknown {
  if (!request.is('application/json')) throw new ShoalError('BAD_REQUEST', `${what} takes an application/json body`);
  return request.body;
}

const actorOf = (response: Response): string => principalOf(response)?.id ?? 'anonymous';

export function servingRoutes(routes: ApiRoutes, deps: { serving: DeploymentService; store: Store; registry: ClientRegistry; audit: AuditLog }): void {
  const { serving, store, registry, audit } = deps;

  routes.post('/deployments', 'admin-change', audited(audit, 'deployment.create'), async (request, response) => {
    const deployment = await serving.create(jsonBody(request, 'POST /deployments'), actorOf(response));
    setAuditTarget(response, `deployment:${deployment.id}`);
    response.status(201).json(toDeploymentView(store, registry, deployment));
  });

  routes.get('/deployments', 'read', (request, response) => {
    const jobId = queryString(request, 'jobId', 64);
    const status = queryChoice(request, 'status', STATUSES);
    response.json({ items: store.serving.list({ jobId, status }).map((deployment) => toDeploymentView(store, registry, deployment)) });
  });

  routes.get('/deployments/:id', 'read', (request, response) => {
    response.json(toDeploymentView(store, registry, serving.require(String(request.params['id']))));
  });

  routes.get('/deployments/:id/drift', 'read', (request, response) => {
    const offset = queryInteger(request, 'offset', { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const limit = queryInteger(request, 'limit', { default: 100, min: 1, max: 1000 });
    response.json(toDriftView(store, serving.require(String(request.params['id'])), { offset, limit }));
  });

  routes.post('/deployments/:id/rollback', 'admin-change', audited(audit, 'deployment.rollback', deploymentTarget), noBody('POST /deployments/{id}/rollback'), (request, response) => {
    const deployment = serving.rollback(String(request.params['id']), actorOf(response));
    response.json(toDeploymentView(store, registry, deployment));
  });

  routes.post('/cohorts/rollback', 'admin-change', audited(audit, 'cohort.rollback'), async (request, response) => {
    const deployment = await serving.rollbackCohort(jsonBody(request, 'POST /cohorts/rollback'), actorOf(response));
    setAuditTarget(response, `deployment:${deployment.id}`);
    response.status(201).json(toDeploymentView(store, registry, deployment));
  });
}
