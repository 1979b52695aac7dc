/**
 * GET /jobs/{jobId}/models/{version}/weights: the model as a frame, full or as a delta from the client's `base` version.
 * Every answer is an immutable blob: a strong content ETag, cacheable for a year by a private cache (the route needs
 * a credential), and 304 with no body for an If-None-Match that names the tag.
 */
import type { RequestHandler } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { ApiRoutes } from './api-routes.js';
import { integerParam } from './errors.js';
import type { WeightsDownload } from '../models/download-frames.js';

/** The coordinator core's download (one frame cache for REST and in-memory fleets alike). */
export type DownloadWeights = (
  jobId: string,
  version: number,
  options: { taskId?: string | undefined; base?: number | undefined; ifNoneMatch?: string | undefined },
) => WeightsDownload;

/** `private`: a shared cache must not hand one device's authorised answer to another (see protocols/v1/README.md). */
export const WEIGHTS_CACHE_CONTROL = 'private, max-age=31536000, immutable';

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
    const ifNoneMatch = request.get('if-none-match');
    const { frame, etag, notModified } = download(String(request.params['jobId']), version, { taskId, base: base === undefined ? undefined : integerParam(base, 'base'), ifNoneMatch });
    response.setHeader('ETag', etag);
    response.setHeader('Cache-Control', WEIGHTS_CACHE_CONTROL);
    response.setHeader('Vary', 'Authorization');
    if (notModified) {
      response.status(304).end();
      return;
    }
    response.type('application/octet-stream').setHeader('Content-Length', frame.byteLength);
    response.end(frame);
  });
}
