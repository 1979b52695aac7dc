/** Jobs over REST: create, list and inspect them, stop one, and read their rounds, contributions and model versions (paged). */
import type { Request, RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { AuditLog } from '../auth/audit-log.js';
import { audited, setAuditTarget } from '../auth/rest-guard.js';
import type { JobService } from '../jobs/job-service.js';
import type { Store } from '../store/store.js';
import type { ApiRoutes } from './api-routes.js';
import { integerParam } from './errors.js';
import { jobTarget } from './job-control-router.js';
import { noBody } from './json-body.js';
import { idPageQuery, listPage, numberedPageQuery } from './list-page.js';
import { NO_ROUNDS, toContributionView, toJobView, toModelDocument, toModelVersionView, toRoundView } from './views.js';
import { jobRoundSummary } from './job-summary.js';

export function jobsRoutes(routes: ApiRoutes, deps: { jobs: JobService; store: Store; audit: AuditLog; serverVersion: string; deviceScope: RequestHandler }): void {
  const { jobs, store, audit } = deps;
  const requireJob = (request: Request) => {
    const id = String(request.params['jobId']);
    const job = store.getJob(id);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${id} does not exist`);
    return job;
  };

  routes.post('/jobs', 'admin-change', audited(audit, 'job.create'), async (request, response) => {
    if (!request.is('application/json')) throw new ShoalError('BAD_REQUEST', 'POST /jobs takes an application/json body');
    const job = await jobs.create(request.body);
    setAuditTarget(response, `job:${job.id}`);
    response.status(201).json(toJobView(job, NO_ROUNDS));
  });

  routes.get('/jobs', 'read', (_request, response) => {
    response.json({ items: store.listJobs().map((job) => toJobView(job, jobRoundSummary(store, job.id))) });
  });

  // A device reads its job for the latest model version.
  routes.get('/jobs/:jobId', 'device-read', deps.deviceScope, (request, response) => {
    const job = requireJob(request);
    response.json(toJobView(job, jobRoundSummary(store, job.id)));
  });

  routes.post('/jobs/:jobId/stop', 'admin-change', audited(audit, 'job.stop', jobTarget), noBody('POST /jobs/{jobId}/stop'), async (request, response) => {
    const job = requireJob(request);
    const stopped = await jobs.stop(job.id);
    response.json(toJobView(stopped, jobRoundSummary(store, job.id)));
  });

  routes.get('/jobs/:jobId/rounds', 'read', (request, response) => {
    const job = requireJob(request);
    const page = numberedPageQuery(request);
    response.json(listPage(store.pageRounds(job.id, page), page.limit, (round) => round.round, toRoundView));
  });

  routes.get('/jobs/:jobId/rounds/:round', 'read', (request, response) => {
    const job = requireJob(request);
    const round = store.getRound(job.id, integerParam(request.params['round'], 'round'));
    if (round === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no round ${request.params['round']}`);
    response.json(toRoundView(round));
  });

  routes.get('/jobs/:jobId/rounds/:round/contributions', 'read', (request, response) => {
    const job = requireJob(request);
    const round = integerParam(request.params['round'], 'round');
    const page = idPageQuery(request);
    response.json(listPage(store.pageContributions(job.id, round, page), page.limit, (contribution) => contribution.clientId, toContributionView));
  });

  routes.get('/jobs/:jobId/model.json', 'device-read', deps.deviceScope, (request, response) => {
    const job = requireJob(request);
    response.json(toModelDocument(job.topology, job.tensorSpecs, deps.serverVersion));
  });

  routes.get('/jobs/:jobId/models', 'read', (request, response) => {
    const job = requireJob(request);
    const page = numberedPageQuery(request);
    response.json(listPage(store.pageVersions(job.id, page), page.limit, (version) => version.version, toModelVersionView));
  });

  routes.get('/jobs/:jobId/models/:version', 'read', (request, response) => {
    const job = requireJob(request);
    const version = store.getVersion(job.id, integerParam(request.params['version'], 'version'));
    if (version === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${request.params['version']}`);
    response.json(toModelVersionView(version));
  });
}
