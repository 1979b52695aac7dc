/** /api/v1/session: log in with an API token (sets the HttpOnly session cookie), see the current session, log out. */
import { Router, type Request } from 'express';
import { ShoalError, parseMessage } from '@shoal/protocol';
import type { AdminAuth } from '../auth/admin-auth.js';
import type { AuditLog } from '../auth/audit-log.js';
import { clearedSessionCookie, credentialsFromHeaders, sessionCookie } from '../auth/http-credentials.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Principal } from '../auth/principal.js';
import { toSessionView } from './admin-views.js';

export interface SessionRouterDependencies {
  auth: AdminAuth;
  audit: AuditLog;
  throttle: LoginThrottle;
}

export function sessionRouter({ auth, audit, throttle }: SessionRouterDependencies): Router {
  const router = Router();
  const current = (request: Request): Principal => {
    const principal = auth.authenticate(credentialsFromHeaders(request.headers));
    if (principal === undefined) throw new ShoalError('UNAUTHENTICATED', 'no valid session: log in with an API token');
    return principal;
  };

  router.post('/session', (request, response) => {
    const address = request.ip ?? 'unknown';
    throttle.check(address);
    const body = parseMessage('create-session-request', request.body);
    let opened: ReturnType<AdminAuth['login']>;
    try {
      opened = auth.login(body.token);
    } catch (error) {
      throttle.fail(address);
      audit.record({ actor: 'anonymous', action: 'session.create', target: undefined, outcome: 'failure', errorCode: ShoalError.from(error).code, address });
      throw error;
    }
    throttle.succeed(address);
    const { session, secret, role } = opened;
    audit.record({ actor: session.subject, action: 'session.create', target: `session:${session.id}`, outcome: 'success', errorCode: undefined, address });
    response.setHeader('Set-Cookie', sessionCookie(secret, session.expiresAt - session.createdAt, request.secure));
    response.status(201).json(toSessionView({ id: `session:${session.id}`, kind: 'session', role, subject: session.subject, expiresAt: session.expiresAt }));
  });

  router.get('/session', (request, response) => {
    response.json(toSessionView(current(request)));
  });

  router.delete('/session', (request, response) => {
    const principal = current(request);
    auth.logout(principal);
    audit.record({ actor: principal.id, action: 'session.delete', target: principal.id, outcome: 'success', errorCode: undefined, address: request.ip });
    response.setHeader('Set-Cookie', clearedSessionCookie());
    response.status(204).end();
  });

  return router;
}
