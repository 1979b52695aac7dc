/**
 * The REST API under /api/v1, assembled: authentication, then every route with its access level (rest-guard.ts), then
 * the answer for requests no route took. Routing is strict and case-sensitive: only the documented spelling of a path
 * reaches its route, and access is decided by the route that matched, never by a pattern over the path.
 */
import { Router } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { CodecRegistry } from '@shoal/codec';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { JobService } from '../jobs/job-service.js';
import type { Store } from '../store/store.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { AdminAuth } from '../auth/admin-auth.js';
import type { AuditLog } from '../auth/audit-log.js';
import { LoginBackoff } from '../auth/login-backoff.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { authenticate, refuseUnrouted } from '../auth/rest-guard.js';
import { anyOf } from '../auth/principal.js';
import type { DeviceAccess } from '../identity/device-access.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import type { DeviceRecord } from '../store/records.js';
import type { EdgeArtifactService } from '../models/edge-artifacts.js';
import type { DeploymentService } from '../serving/deployment-service.js';
import { apiRoutes } from './api-routes.js';
import { artifactsRoutes } from './artifacts-router.js';
import { auditRoutes } from './audit-router.js';
import { catalogRoutes } from './catalog-router.js';
import { clientsRoutes } from './clients-router.js';
import { devicesRoutes } from './devices-router.js';
import { jobControlRoutes } from './job-control-router.js';
import { jobsRoutes } from './jobs-router.js';
import { jsonBody } from './json-body.js';
import { malformedPath } from './path-escapes.js';
import { servingRoutes } from './serving-router.js';
import { sessionRoutes } from './session-router.js';
import { tokensRoutes } from './tokens-router.js';
import { weightsRoute, type DownloadWeights } from './weights-route.js';
import { deviceMayReadArtifact, deviceMayReadJob } from './device-scope.js';
import type { Clock } from '../time/clock.js';

export interface ApiDependencies {
  store: Store;
  registry: ClientRegistry;
  jobs: JobService;
  metrics: CoordinatorMetrics;
  serverVersion: string;
  maxJsonBodyBytes: number;
  codecs: CodecRegistry;
  auth: AdminAuth;
  audit: AuditLog;
  downloadWeights: DownloadWeights;
  serving: DeploymentService;
  artifacts: EdgeArtifactService;
  deviceAccess: DeviceAccess;
  devices: DeviceIdentity;
  revokeDevice: (clientId: string, by: string) => DeviceRecord;
  /** What the login backoff waits on (default: the system clock). */
  clock?: Clock;
}

export function apiRouter(deps: ApiDependencies): Router {
  const { store, registry, jobs, audit } = deps;
  const router = Router({ strict: true, caseSensitive: true });
  const routes = apiRoutes(router, { audit, jsonBody: jsonBody(deps.maxJsonBodyBytes) });
  // Device credentials first: model downloads are the most frequent calls and that check is an in-memory lookup.
  router.use(authenticate(anyOf(deps.deviceAccess, deps.auth)));
  router.use(refuseUnrouted(audit, malformedPath));

  catalogRoutes(routes, { codecs: deps.codecs, serverVersion: deps.serverVersion });
  sessionRoutes(routes, { auth: deps.auth, audit, backoff: new LoginBackoff({ clock: deps.clock }) });
  tokensRoutes(routes, { auth: deps.auth, audit });
  devicesRoutes(routes, { identity: deps.devices, records: store.devices, audit, throttle: new LoginThrottle(), revokeDevice: deps.revokeDevice });
  clientsRoutes(routes, { store, registry });
  auditRoutes(routes, { audit });
  const scope = { store, isEnrolled: (clientId: string) => store.devices.getDevice(clientId)?.revokedAt === undefined && store.devices.getDevice(clientId) !== undefined };
  jobsRoutes(routes, { jobs, store, audit, serverVersion: deps.serverVersion, deviceScope: deviceMayReadJob(scope) });
  jobControlRoutes(routes, { jobs, store, audit });
  weightsRoute(routes, deps.downloadWeights, deviceMayReadJob(scope));
  servingRoutes(routes, { serving: deps.serving, store, registry, audit });
  artifactsRoutes(routes, { store, artifacts: deps.artifacts, audit, serverVersion: deps.serverVersion, deviceScope: deviceMayReadArtifact(scope) });

  router.use(refuseUnrouted(audit, (request) => new ShoalError('NOT_FOUND', `no endpoint ${request.method} ${request.path}`)));
  return router;
}
