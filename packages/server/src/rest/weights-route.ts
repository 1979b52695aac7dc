/** GET /jobs/{jobId}/models/{version}/weights: the model as a frame, full or as a delta from the client's `base` version. */
import { Router } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { CodecRegistry } from '@shoal/codec';
import { DownloadFrames } from '../download-frames.js';
import type { JobService } from '../job-service.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { integerParam } from './errors.js';

export interface WeightsRouteDependencies {
  store: SqliteStore;
  jobs: JobService;
  codecs: CodecRegistry;
}

function optionalQuery(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ShoalError('BAD_REQUEST', `query parameter ${name} must appear once`);
  return value;
}

export function weightsRoute(deps: WeightsRouteDependencies): Router {
  const router = Router();
  const frames = new DownloadFrames(deps.store, deps.codecs);

  router.get('/jobs/:jobId/models/:version/weights', (request, response) => {
    const jobId = String(request.params['jobId']);
    const job = deps.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    const version = integerParam(request.params['version'], 'version');
    if (deps.store.getVersion(job.id, version) === undefined) throw new ShoalError('NOT_FOUND', `job ${job.id} has no model version ${version}`);
    const base = optionalQuery(request.query['base'], 'base');
    const taskId = optionalQuery(request.query['taskId'], 'taskId');
    const { frame, delta } = frames.frameFor(job, version, base === undefined ? undefined : integerParam(base, 'base'));
    deps.jobs.findRunner(job.id)?.recordDownload(taskId, frame.byteLength, delta);
    response.type('application/octet-stream').setHeader('Content-Length', frame.byteLength);
    response.end(frame);
  });

  return router;
}
