/** /api/v1/tokens (admin only): create named API tokens with a role (the secret is shown once), list and revoke them. */
import { parseMessage } from '@shoal/protocol';
import type { AdminAuth } from '../auth/admin-auth.js';
import type { AuditLog } from '../auth/audit-log.js';
import { audited, principalOf, setAuditTarget } from '../auth/rest-guard.js';
import { toApiTokenView } from './admin-views.js';
import type { ApiRoutes } from './api-routes.js';
import { noBody } from './json-body.js';

export function tokensRoutes(routes: ApiRoutes, deps: { auth: AdminAuth; audit: AuditLog }): void {
  const { auth, audit } = deps;

  routes.post('/tokens', 'admin-change', audited(audit, 'token.create'), (request, response) => {
    const body = parseMessage('create-api-token-request', request.body);
    const { record, token } = auth.createToken(body.name, body.role, principalOf(response)?.id ?? 'anonymous');
    setAuditTarget(response, `admin-token:${record.id}`);
    response.status(201).json({ ...toApiTokenView(record), token });
  });

  routes.get('/tokens', 'admin-read', (_request, response) => {
    response.json({ items: auth.listTokens().map(toApiTokenView) });
  });

  routes.delete('/tokens/:tokenId', 'admin-change', audited(audit, 'token.revoke', (request) => `admin-token:${String(request.params['tokenId'])}`), noBody('DELETE /tokens/{tokenId}'), (request, response) => {
    response.json(toApiTokenView(auth.revokeToken(String(request.params['tokenId']))));
  });
}
