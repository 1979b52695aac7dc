/** Express middleware: authentication and role checks for every API request, and an audit entry for each admin action. */
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

/** Routes anyone may call: log in, protocol info, and device enrolment (the join token in the body is the credential). */
const PUBLIC_ROUTES: readonly { method: string; path: string }[] = [
  { method: 'POST', path: '/session' },
  { method: 'GET', path: '/info' },
  { method: 'POST', path: '/devices' },
];
/** What a connected client's credential may read: the model it trains or serves (and the job, for its latest version). */
const DEVICE_READS: readonly RegExp[] = [/^\/jobs\/[^/]+$/, /^\/jobs\/[^/]+\/model\.json$/, /^\/jobs\/[^/]+\/models\/\d+\/weights$/, /^\/artifacts\/[^/]+\/(model\.json|weights)$/];
/** Reads only administrators may make: the credentials themselves. */
const ADMIN_READS: readonly RegExp[] = [/^\/tokens$/, /^\/join-tokens$/];

/**
 * Authenticates every request and authorises it by role: anonymous callers reach only the public routes (401
 * elsewhere); devices only download models; viewers read; administrators also change (403 otherwise). A
 * cookie-authenticated change must come from this origin: SameSite=Strict already stops other sites from sending the
 * cookie; this also refuses old browsers. Refused changes are audited.
 */
export function authorizeByRole(authenticator: Authenticator, audit: AuditLog): RequestHandler {
  return (request, response, next) => {
    const credentials = credentialsFromHeaders(request.headers);
    const principal = authenticator.authenticate(credentials);
    if (principal !== undefined) response.locals['principal'] = principal;
    const { method, path } = request;
    if (PUBLIC_ROUTES.some((route) => route.method === method && route.path === path)) return next();
    const read = READ_METHODS.has(method);
    const refuse = (error: ShoalError) => {
      if (!read) audit.record({ actor: principal?.id ?? 'anonymous', action: `${method} ${request.originalUrl.split('?')[0]}`, target: undefined, outcome: 'failure', errorCode: error.code, address: request.ip });
      next(error);
    };
    if (principal === undefined) {
      const presented = credentials.bearer !== undefined || credentials.sessionSecret !== undefined;
      return refuse(new ShoalError('UNAUTHENTICATED', presented ? 'the session has expired or the token is not valid; log in again' : 'log in, or send Authorization: Bearer <API token>'));
    }
    if (principal.role === 'device') {
      return read && DEVICE_READS.some((pattern) => pattern.test(path)) ? next() : refuse(new ShoalError('FORBIDDEN', 'a device credential may only download models'));
    }
    if (path === '/session') return next();
    if (principal.role !== 'admin' && (!read || ADMIN_READS.some((pattern) => pattern.test(path)))) {
      return refuse(new ShoalError('FORBIDDEN', `this needs the admin role; ${principal.id} is a ${principal.role}`));
    }
    if (!read && principal.kind === 'session' && credentials.bearer === undefined && !sameOrigin(request)) {
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
