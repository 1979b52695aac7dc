/** The REST API under /api/v1: clients, jobs, rounds, contributions and model versions. */
import express, { Router, type Request } from 'express';
import { PROTOCOL_VERSION, ShoalError } from '@shoal/protocol';
import { PRESETS } from '@shoal/ml';
import type { ClientRegistry } from '../client-registry.js';
import type { JobService } from '../job-service.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { integerParam, notFound } from './errors.js';
import { toClientView, toContributionView, toJobView, toModelVersionView, toRoundView } from './views.js';

export interface ApiDependencies {
  store: SqliteStore;
  registry: ClientRegistry;
  jobs: JobService;
  metrics: CoordinatorMetrics;
  serverVersion: string;
  maxJsonBodyBytes: number;
}

export function apiRouter(deps: ApiDependencies): Router {
  const { store, registry, jobs } = deps;
  const router = Router();
  router.use(express.json({ limit: deps.maxJsonBodyBytes, strict: false }));

  const requireJob = (request: Request) => {
    const id = String(request.params['jobId']);
    const job = store.getJob(id);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${id} does not exist`);
    return job;
  };

  router.get('/info', (_request, response) => {
    response.json({ protocolVersion: PROTOCOL_VERSION, serverVersion: deps.serverVersion, presets: Object.values(PRESETS) });
  });

  router.get('/clients', (_request, response) => {
    const counts = store.contributionCounts();
    const items = store.listClients().map((client) => toClientView(client, registry.get(client.id), counts.get(client.id) ?? 0));
    response.json({ items, online: registry.size(), total: items.length });
  });

  router.get('/clients/:clientId', (request, response) => {
    const client = store.getClient(String(request.params['clientId']));
    if (client === undefined) throw new ShoalError('NOT_FOUND', `client ${request.params['clientId']} is not registered`);
    response.json(toClientView(client, registry.get(client.id), store.contributionCounts().get(client.id) ?? 0));
  });

  router.post('/jobs', async (request, response) => {
    if (!request.is('application/json')) throw new ShoalError('BAD_REQUEST', 'POST /jobs takes an application/json body');
    const job = await jobs.create(request.body);
    response.status(201).json(toJobView(job, []));
  });

  router.get('/jobs', (_request, response) => {
    response.json({ items: store.listJobs().map((job) => toJobView(job, store.listRounds(job.id))) });
  });

  router.get('/jobs/:jobId', (request, response) => {
    const job = requireJob(request);
    response.json(toJobView(job, store.listRounds(job.id)));
  });

  router.post('/jobs/:jobId/stop', async (request, response) => {
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

  router.get('/jobs/:jobId/models/:version/weights', (request, response) => {
    const job = requireJob(request);
    const version = integerParam(request.params['version'], 'version');
    const weights = store.getVersionWeights(job.id, version);
    if (weights === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${version}`);
    const taskId = typeof request.query['taskId'] === 'string' ? request.query['taskId'] : undefined;
    jobs.findRunner(job.id)?.recordDownload(taskId, weights.byteLength);
    response.type('application/octet-stream').setHeader('Content-Length', weights.byteLength);
    response.end(weights);
  });

  router.use(notFound);
  return router;
}
