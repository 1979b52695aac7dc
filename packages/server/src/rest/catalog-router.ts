/**
 * What a job may be built from: GET /api/v1/info (public: protocol version and presets), GET /api/v1/codecs (the
 * registry's codec ids) and GET /api/v1/schemas/{name}.
 */
import { PROTOCOL_VERSION, ShoalError, loadSchemaDocuments, messageNames } from '@shoal/protocol';
import { PRESETS } from '@shoal/ml';
import type { CodecRegistry } from '@shoal/codec';
import type { ApiRoutes } from './api-routes.js';

export function catalogRoutes(routes: ApiRoutes, deps: { codecs: CodecRegistry; serverVersion: string }): void {
  const schemas = loadSchemaDocuments();
  const published = new Set<string>([...messageNames(), 'common']);

  routes.get('/info', 'public', (_request, response) => {
    response.json({ protocolVersion: PROTOCOL_VERSION, serverVersion: deps.serverVersion, presets: Object.values(PRESETS) });
  });

  routes.get('/codecs', 'read', (_request, response) => {
    response.json({ items: deps.codecs.ids().map((id) => ({ id, lossless: deps.codecs.get(id).lossless })) });
  });

  routes.get('/schemas/:name', 'read', (request, response) => {
    const name = String(request.params['name']);
    const schema = published.has(name) ? schemas.get(name) : undefined;
    if (schema === undefined) throw new ShoalError('NOT_FOUND', `no schema named '${name}'; see protocols/v1/schemas`);
    response.type('application/schema+json').send(JSON.stringify(schema));
  });
}
