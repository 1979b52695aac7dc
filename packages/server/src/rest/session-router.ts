/** /api/v1/session: log in with an API token (sets the HttpOnly session cookie), see the current session, log out. */
import type { Request } from 'express';
import { ShoalError, parseMessage } from '@shoal/protocol';
import type { AdminAuth } from '../auth/admin-auth.js';
import type { AuditLog } from '../auth/audit-log.js';
import { clearedSessionCookie, credentialsFromHeaders, sessionCookie } from '../auth/http-credentials.js';
import type { LoginBackoff } from '../auth/login-backoff.js';
import type { Principal } from '../auth/principal.js';
import { toSessionView } from './admin-views.js';
import type { ApiRoutes } from './api-routes.js';
import { noBody } from './json-body.js';

export interface SessionRouterDependencies {
  auth: AdminAuth;
  audit: AuditLog;
  /** Slows failed logins per address; a valid token is never refused by it. */
  backoff: LoginBackoff;
}

export function sessionRoutes(routes: ApiRoutes, { auth, audit, backoff }: SessionRouterDependencies): void {
  const current = (request: Request): Principal => {
    const principal = auth.authenticate(credentialsFromHeaders(request.headers));
    if (principal === undefined) throw new ShoalError('UNAUTHENTICATED', 'no valid session: log in with an API token');
    return principal;
  };

  routes.post('/session', 'public', async (request, response) => {
    const address = request.ip ?? 'unknown';
    const body = parseMessage('create-session-request', request.body);
    let opened: ReturnType<AdminAuth['login']>;
    try {
      opened = auth.login(body.token);
    } catch (error) {
      audit.record({ actor: 'anonymous', action: 'session.create', target: undefined, outcome: 'failure', errorCode: ShoalError.from(error).code, address });
      throw await backoff.failed(address, ShoalError.from(error));
    }
    const { session, secret, role } = opened;
    audit.record({ actor: session.subject, action: 'session.create', target: `session:${session.id}`, outcome: 'success', errorCode: undefined, address });
    response.setHeader('Set-Cookie', sessionCookie(secret, session.expiresAt - session.createdAt, request.secure));
    response.status(201).json(toSessionView({ id: `session:${session.id}`, kind: 'session', role, subject: session.subject, expiresAt: session.expiresAt }));
  });

  routes.get('/session', 'signed-in', (request, response) => {
    response.json(toSessionView(current(request)));
  });

  // Any signed-in caller may log out, from any origin: ending one's own session is harmless.
  routes.delete('/session', 'signed-in', noBody('DELETE /session'), (request, response) => {
    const principal = current(request);
    auth.logout(principal);
    audit.record({ actor: principal.id, action: 'session.delete', target: principal.id, outcome: 'success', errorCode: undefined, address: request.ip });
    response.setHeader('Set-Cookie', clearedSessionCookie());
    response.status(204).end();
  });
}
