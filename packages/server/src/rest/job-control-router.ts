/** POST /api/v1/jobs/{jobId}/pause and /resume: a paused job finishes its open round, then waits. */
import { Router } from 'express';
import type { AuditLog } from '../auth/audit-log.js';
import { audited } from '../auth/rest-guard.js';
import type { JobService } from '../job-service.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { toJobView } from './views.js';

/** The audit target of a route under /jobs/:jobId. */
export const jobTarget = (request: { params: Record<string, unknown> }): string => `job:${String(request.params['jobId'])}`;

export function jobControlRouter(deps: { jobs: JobService; store: SqliteStore; audit: AuditLog }): Router {
  const { jobs, store, audit } = deps;
  const router = Router();

  router.post('/jobs/:jobId/pause', audited(audit, 'job.pause', jobTarget), (request, response) => {
    const job = jobs.pause(String(request.params['jobId']));
    response.json(toJobView(job, store.listRounds(job.id)));
  });

  router.post('/jobs/:jobId/resume', audited(audit, 'job.resume', jobTarget), (request, response) => {
    const job = jobs.resume(String(request.params['jobId']));
    response.json(toJobView(job, store.listRounds(job.id)));
  });

  return router;
}
