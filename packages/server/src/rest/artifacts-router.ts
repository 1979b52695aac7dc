/**
 * Edge artifacts over REST: POST /jobs/{jobId}/models/{version}/artifacts builds one; GET /artifacts lists them, and
 * /artifacts/{id}, /model.json and /weights serve one as a client downloads a job's model.
 */
import type { Request, RequestHandler } from 'express';
import { ShoalError, type ArtifactView } from '@shoal/protocol';
import type { AuditLog } from '../auth/audit-log.js';
import { audited } from '../auth/rest-guard.js';
import type { EdgeArtifactService } from '../models/edge-artifacts.js';
import type { ArtifactSummary } from '../store/artifact-records.js';
import type { Store } from '../store/store.js';
import type { ApiRoutes } from './api-routes.js';
import { integerParam } from './errors.js';
import { jobTarget } from './job-control-router.js';
import { toModelDocument } from './views.js';

/** Named field by field: a record may carry its weights frame, which never goes into JSON. */
export function toArtifactView(artifact: ArtifactSummary): ArtifactView {
  const { id, jobId, version, createdAt, candidate, codec, sizeBytes, gzipBytes, accuracy, latencyP50Ms, latencyP99Ms, parameterCount, sparsity, minAccuracy, heldOutExamples } = artifact;
  const { base, candidates, skipped, backend, buildMs } = artifact.report;
  const url = `/api/v1/artifacts/${encodeURIComponent(id)}`;
  const figures = { sizeBytes, gzipBytes, accuracy, latencyP50Ms, latencyP99Ms, parameterCount, sparsity };
  return { id, jobId, version, createdAt, candidate, codec, ...figures, minAccuracy, heldOutExamples, base, candidates, skipped, backend, buildMs, modelUrl: `${url}/model.json`, weightsUrl: `${url}/weights` };
}

export function artifactsRoutes(routes: ApiRoutes, deps: { store: Store; artifacts: EdgeArtifactService; audit: AuditLog; serverVersion: string; deviceScope: RequestHandler }): void {
  const { store } = deps;
  const requireArtifact = (request: Request) => {
    const id = String(request.params['artifactId']);
    const artifact = store.artifacts.get(id);
    if (artifact === undefined) throw new ShoalError('NOT_FOUND', `artifact ${id} does not exist`);
    return artifact;
  };

  routes.post('/jobs/:jobId/models/:version/artifacts', 'admin-change', audited(deps.audit, 'artifact.build', jobTarget), async (request, response) => {
    if (!request.is('application/json')) throw new ShoalError('BAD_REQUEST', 'POST …/artifacts takes an application/json body');
    const artifact = await deps.artifacts.build(String(request.params['jobId']), integerParam(String(request.params['version']), 'version'), request.body);
    response.status(201).json(toArtifactView(artifact));
  });

  routes.get('/artifacts', 'read', (request, response) => {
    const jobId = request.query['jobId'];
    if (jobId !== undefined && typeof jobId !== 'string') throw new ShoalError('BAD_REQUEST', 'query parameter jobId must appear once');
    response.json({ items: store.artifacts.list({ jobId }).map(toArtifactView) });
  });

  routes.get('/artifacts/:artifactId', 'read', (request, response) => {
    response.json(toArtifactView(requireArtifact(request)));
  });

  routes.get('/artifacts/:artifactId/model.json', 'device-read', deps.deviceScope, (request, response) => {
    const artifact = requireArtifact(request);
    response.json(toModelDocument(artifact.topology, artifact.tensorSpecs, deps.serverVersion));
  });

  routes.get('/artifacts/:artifactId/weights', 'device-read', deps.deviceScope, (request, response) => {
    const { weights } = requireArtifact(request);
    response.type('application/octet-stream').setHeader('Content-Length', weights.byteLength);
    response.end(weights);
  });
}
