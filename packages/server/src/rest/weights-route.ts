/** GET /jobs/{jobId}/models/{version}/weights: the model as a frame, full or as a delta from the client's `base` version. */
import type { RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { ApiRoutes } from './api-routes.js';
import { integerParam } from './errors.js';

/** The coordinator core's download (one frame cache for REST and in-memory fleets alike). */
export type DownloadWeights = (jobId: string, version: number, options: { taskId?: string | undefined; base?: number | undefined }) => Uint8Array;

function optionalQuery(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ShoalError('BAD_REQUEST', `query parameter ${name} must appear once`);
  return value;
}

export function weightsRoute(routes: ApiRoutes, download: DownloadWeights, deviceScope: RequestHandler): void {
  routes.get('/jobs/:jobId/models/:version/weights', 'device-read', deviceScope, (request, response) => {
    const version = integerParam(request.params['version'], 'version');
    const base = optionalQuery(request.query['base'], 'base');
    const taskId = optionalQuery(request.query['taskId'], 'taskId');
    const frame = download(String(request.params['jobId']), version, { taskId, base: base === undefined ? undefined : integerParam(base, 'base') });
    response.type('application/octet-stream').setHeader('Content-Length', frame.byteLength);
    response.end(frame);
  });
}
