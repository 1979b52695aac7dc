/** Express middleware: administrator authentication for changing requests, and an audit entry for each admin action. */
import type { Request, RequestHandler, Response } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { AuditLog } from './audit-log.js';
import { credentialsFromHeaders } from './http-credentials.js';
import type { Authenticator, Principal } from './principal.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function principalOf(response: Response): Principal | undefined {
  const principal: unknown = response.locals['principal'];
  return typeof principal === 'object' && principal !== null ? (principal as Principal) : undefined;
}

/** Lets a route name what it created (a job id) for the audit entry when the target is not in the path. */
export function setAuditTarget(response: Response, target: string): void {
  response.locals['auditTarget'] = target;
}

/**
 * Authenticates every request and requires an administrator for every changing one (but the paths in `except`). A cookie-authenticated change must
 * come from this origin: SameSite=Strict already stops other sites from sending the cookie; this also refuses old browsers.
 */
export function requireAdminForChanges(authenticator: Authenticator, audit: AuditLog, options: { except: readonly string[] }): RequestHandler {
  return (request, response, next) => {
    const credentials = credentialsFromHeaders(request.headers);
    const principal = authenticator.authenticate(credentials);
    if (principal !== undefined) response.locals['principal'] = principal;
    if (READ_METHODS.has(request.method) || options.except.includes(request.path)) return next();
    const refuse = (error: ShoalError) => {
      audit.record({ actor: principal?.id ?? 'anonymous', action: `${request.method} ${request.originalUrl.split('?')[0]}`, target: undefined, outcome: 'failure', errorCode: error.code, address: request.ip });
      next(error);
    };
    if (principal === undefined) {
      const presented = credentials.bearer !== undefined || credentials.sessionSecret !== undefined;
      return refuse(new ShoalError('UNAUTHENTICATED', presented ? 'the session has expired or the token is not valid; log in again' : 'this action needs an administrator: log in, or send Authorization: Bearer <admin token>'));
    }
    if (principal.kind === 'session' && credentials.bearer === undefined && !sameOrigin(request)) {
      return refuse(new ShoalError('FORBIDDEN', "a cookie-authenticated change must come from the console's own origin"));
    }
    next();
  };
}

function sameOrigin(request: Request): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Records the action once the response is sent: success for 2xx, failure with the error code otherwise. */
export function audited(audit: AuditLog, action: string, target: (request: Request) => string | undefined = () => undefined): RequestHandler {
  return (request, response, next) => {
    const named = target(request);
    response.once('finish', () => {
      const ok = response.statusCode < 400;
      const errorCode: unknown = response.locals['errorCode'];
      const auditTarget: unknown = response.locals['auditTarget'];
      audit.record({
        actor: principalOf(response)?.id ?? 'anonymous',
        action,
        target: named ?? (typeof auditTarget === 'string' ? auditTarget : undefined),
        outcome: ok ? 'success' : 'failure',
        errorCode: ok ? undefined : typeof errorCode === 'string' ? errorCode : String(response.statusCode),
        address: request.ip,
      });
    });
    next();
  };
}
