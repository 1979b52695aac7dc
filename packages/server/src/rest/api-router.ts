/** The REST API under /api/v1: clients, jobs, rounds, contributions and model versions. */
import express, { Router, type Request } from 'express';
import { PROTOCOL_VERSION, ShoalError } from '@shoal/protocol';
import { PRESETS } from '@shoal/ml';
import type { CodecRegistry } from '@shoal/codec';
import type { ClientRegistry } from '../client-registry.js';
import type { JobService } from '../job-service.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { AdminAuth } from '../auth/admin-auth.js';
import type { AuditLog } from '../auth/audit-log.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { audited, authorizeByRole, setAuditTarget } from '../auth/rest-guard.js';
import { anyOf } from '../auth/principal.js';
import type { DeviceAccess } from '../identity/device-access.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import type { DeviceRecord } from '../store/records.js';
import { devicesRouter } from './devices-router.js';
import { tokensRouter } from './tokens-router.js';
import { auditRouter } from './audit-router.js';
import { catalogRouter } from './catalog-router.js';
import { clientsRouter } from './clients-router.js';
import { integerParam, notFound } from './errors.js';
import { jobControlRouter, jobTarget } from './job-control-router.js';
import { sessionRouter } from './session-router.js';
import { servingRouter } from './serving-router.js';
import { artifactsRouter } from './artifacts-router.js';
import type { EdgeArtifactService } from '../edge-artifacts.js';
import type { ServingService } from '../serving/serving-service.js';
import { weightsRoute, type DownloadWeights } from './weights-route.js';
import { toContributionView, toJobView, toModelVersionView, toRoundView } from './views.js';

export interface ApiDependencies {
  store: SqliteStore;
  registry: ClientRegistry;
  jobs: JobService;
  metrics: CoordinatorMetrics;
  serverVersion: string;
  maxJsonBodyBytes: number;
  codecs: CodecRegistry;
  auth: AdminAuth;
  audit: AuditLog;
  downloadWeights: DownloadWeights;
  serving: ServingService;
  artifacts: EdgeArtifactService;
  deviceAccess: DeviceAccess;
  devices: DeviceIdentity;
  revokeDevice: (clientId: string, by: string) => DeviceRecord;
}

export function apiRouter(deps: ApiDependencies): Router {
  const { store, registry, jobs } = deps;
  const router = Router();
  // Every request is authenticated and authorised by role before a body is parsed (rest-guard.ts has the few public routes).
  // Device credentials first: model downloads are the most frequent calls and that check is an in-memory lookup.
  router.use(authorizeByRole(anyOf(deps.deviceAccess, deps.auth), deps.audit));
  router.use(express.json({ limit: deps.maxJsonBodyBytes, strict: false }));
  router.use(sessionRouter({ auth: deps.auth, audit: deps.audit, throttle: new LoginThrottle() }));
  router.use(tokensRouter({ auth: deps.auth, audit: deps.audit }));
  router.use(devicesRouter({ identity: deps.devices, records: store.devices, audit: deps.audit, throttle: new LoginThrottle(), revokeDevice: deps.revokeDevice }));
  router.use(clientsRouter({ store, registry }));
  router.use(auditRouter({ audit: deps.audit }));
  router.use(catalogRouter({ codecs: deps.codecs }));
  router.use(jobControlRouter({ jobs, store, audit: deps.audit }));
  router.use(weightsRoute(deps.downloadWeights));
  router.use(servingRouter({ serving: deps.serving, store, registry, audit: deps.audit }));
  router.use(artifactsRouter({ store, artifacts: deps.artifacts, audit: deps.audit, serverVersion: deps.serverVersion }));

  const requireJob = (request: Request) => {
    const id = String(request.params['jobId']);
    const job = store.getJob(id);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${id} does not exist`);
    return job;
  };

  router.get('/info', (_request, response) => {
    response.json({ protocolVersion: PROTOCOL_VERSION, serverVersion: deps.serverVersion, presets: Object.values(PRESETS) });
  });

  router.post('/jobs', audited(deps.audit, 'job.create'), async (request, response) => {
    if (!request.is('application/json')) throw new ShoalError('BAD_REQUEST', 'POST /jobs takes an application/json body');
    const job = await jobs.create(request.body);
    setAuditTarget(response, `job:${job.id}`);
    response.status(201).json(toJobView(job, []));
  });

  router.get('/jobs', (_request, response) => {
    response.json({ items: store.listJobs().map((job) => toJobView(job, store.listRounds(job.id))) });
  });

  router.get('/jobs/:jobId', (request, response) => {
    const job = requireJob(request);
    response.json(toJobView(job, store.listRounds(job.id)));
  });

  router.post('/jobs/:jobId/stop', audited(deps.audit, 'job.stop', jobTarget), async (request, response) => {
    const job = requireJob(request);
    const stopped = await jobs.stop(job.id);
    response.json(toJobView(stopped, store.listRounds(job.id)));
  });

  router.get('/jobs/:jobId/rounds', (request, response) => {
    const job = requireJob(request);
    response.json({ items: store.listRounds(job.id).map(toRoundView) });
  });

  router.get('/jobs/:jobId/rounds/:round', (request, response) => {
    const job = requireJob(request);
    const round = store.getRound(job.id, integerParam(request.params['round'], 'round'));
    if (round === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no round ${request.params['round']}`);
    response.json(toRoundView(round));
  });

  router.get('/jobs/:jobId/rounds/:round/contributions', (request, response) => {
    const job = requireJob(request);
    const round = integerParam(request.params['round'], 'round');
    response.json({ items: store.listContributions(job.id, round).map(toContributionView) });
  });

  router.get('/jobs/:jobId/model.json', (request, response) => {
    const job = requireJob(request);
    response.json({ format: 'layers-model', generatedBy: `shoal ${deps.serverVersion}`, modelTopology: job.topology, tensors: job.tensorSpecs });
  });

  router.get('/jobs/:jobId/models', (request, response) => {
    const job = requireJob(request);
    response.json({ items: store.listVersions(job.id).map(toModelVersionView) });
  });

  router.get('/jobs/:jobId/models/:version', (request, response) => {
    const job = requireJob(request);
    const version = store.getVersion(job.id, integerParam(request.params['version'], 'version'));
    if (version === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${request.params['version']}`);
    response.json(toModelVersionView(version));
  });

  router.use(notFound);
  return router;
}
