/** /api/v1/tokens (admin only): create named API tokens with a role (the secret is shown once), list and revoke them. */
import { Router } from 'express';
import { parseMessage } from '@shoal/protocol';
import type { AdminAuth } from '../auth/admin-auth.js';
import type { AuditLog } from '../auth/audit-log.js';
import { audited, principalOf, setAuditTarget } from '../auth/rest-guard.js';
import { toApiTokenView } from './admin-views.js';

export function tokensRouter(deps: { auth: AdminAuth; audit: AuditLog }): Router {
  const { auth, audit } = deps;
  const router = Router();

  router.post('/tokens', audited(audit, 'token.create'), (request, response) => {
    const body = parseMessage('create-api-token-request', request.body);
    const { record, token } = auth.createToken(body.name, body.role, principalOf(response)?.id ?? 'anonymous');
    setAuditTarget(response, `admin-token:${record.id}`);
    response.status(201).json({ ...toApiTokenView(record), token });
  });

  router.get('/tokens', (_request, response) => {
    response.json({ items: auth.listTokens().map(toApiTokenView) });
  });

  router.delete('/tokens/:tokenId', audited(audit, 'token.revoke', (request) => `admin-token:${String(request.params['tokenId'])}`), (request, response) => {
    response.json(toApiTokenView(auth.revokeToken(String(request.params['tokenId']))));
  });

  return router;
}
