/** Operational endpoints: liveness at /healthz and Prometheus metrics at /metrics. */
import { Router } from 'express';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { CoordinatorMetrics } from '../metrics.js';

export function opsRouter(deps: { registry: ClientRegistry; metrics: CoordinatorMetrics; startedAt: number; serverVersion: string }): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({
      status: 'ok',
      serverVersion: deps.serverVersion,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      clientsConnected: deps.registry.localSize(),
    });
  });
  router.get('/metrics', async (_request, response) => {
    response.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
