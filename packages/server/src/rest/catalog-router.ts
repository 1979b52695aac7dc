/** What a job may be built from: GET /api/v1/codecs (the registry's codec ids) and GET /api/v1/schemas/{name}. */
import { Router } from 'express';
import { ShoalError, loadSchemaDocuments, messageNames } from '@shoal/protocol';
import type { CodecRegistry } from '@shoal/codec';

export function catalogRouter(deps: { codecs: CodecRegistry }): Router {
  const router = Router();
  const schemas = loadSchemaDocuments();
  const published = new Set<string>([...messageNames(), 'common']);

  router.get('/codecs', (_request, response) => {
    response.json({ items: deps.codecs.ids().map((id) => ({ id, lossless: deps.codecs.get(id).lossless })) });
  });

  router.get('/schemas/:name', (request, response) => {
    const name = String(request.params['name']);
    const schema = published.has(name) ? schemas.get(name) : undefined;
    if (schema === undefined) throw new ShoalError('NOT_FOUND', `no schema named '${name}'; see protocols/v1/schemas`);
    response.type('application/schema+json').send(JSON.stringify(schema));
  });

  return router;
}
