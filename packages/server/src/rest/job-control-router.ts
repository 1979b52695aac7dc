/** POST /api/v1/jobs/{jobId}/pause and /resume: a paused job finishes its open round, then waits. */
import type { AuditLog } from '../auth/audit-log.js';
import { audited } from '../auth/rest-guard.js';
import type { JobService } from '../jobs/job-service.js';
import type { Store } from '../store/store.js';
import type { ApiRoutes } from './api-routes.js';
import { noBody } from './json-body.js';
import { toJobView } from './views.js';
import { jobRoundSummary } from './job-summary.js';

/** The audit target of a route under /jobs/:jobId. */
export const jobTarget = (request: { params: Record<string, unknown> }): string => `job:${String(request.params['jobId'])}`;

export function jobControlRoutes(routes: ApiRoutes, deps: { jobs: JobService; store: Store; audit: AuditLog }): void {
  const { jobs, store, audit } = deps;

  routes.post('/jobs/:jobId/pause', 'admin-change', audited(audit, 'job.pause', jobTarget), noBody('POST /jobs/{jobId}/pause'), async (request, response) => {
    const job = await jobs.pause(String(request.params['jobId']));
    response.json(toJobView(job, jobRoundSummary(store, job.id)));
  });

  routes.post('/jobs/:jobId/resume', 'admin-change', audited(audit, 'job.resume', jobTarget), noBody('POST /jobs/{jobId}/resume'), async (request, response) => {
    const job = await jobs.resume(String(request.params['jobId']));
    response.json(toJobView(job, jobRoundSummary(store, job.id)));
  });
}
