/**
 * Express middleware for the API's access control: who is calling (every request), what the route that matched lets
 * them do (each route names its access level), what a request no route took gets, and an audit entry per admin action.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ShoalError } from '@shoal/protocol';
import type { AuditLog } from './audit-log.js';
import { credentialsFromHeaders } from './http-credentials.js';
import { describePrincipal, type Authenticator, type Principal } from './principal.js';

/**
 * Who may call a route, decided once Express has matched it (so no spelling of a path can reach a route without its
 * check). `public`: anyone. `signed-in`: any viewer or admin (see and end one's own session). `device-read`: devices,
 * viewers and admins (model downloads). `read`: viewers and admins. `admin-read` and `admin-change`: admins only, and a
 * cookie-authenticated change must come from this origin.
 */
export type ReadAccess = 'public' | 'signed-in' | 'device-read' | 'read' | 'admin-read';
export type ChangeAccess = 'public' | 'signed-in' | 'admin-change';
export type RouteAccess = ReadAccess | ChangeAccess;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function principalOf(response: Response): Principal | undefined {
  const principal: unknown = response.locals['principal'];
  return typeof principal === 'object' && principal !== null ? (principal as Principal) : undefined;
}

/** Lets a route name what it created (a job id) for the audit entry when the target is not in the path. */
export function setAuditTarget(response: Response, target: string): void {
  response.locals['auditTarget'] = target;
}

/** Finds who is calling, if anyone, before routing; refusing is left to the route's level (or to refuseUnrouted). */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return (request, response, next) => {
    const principal = authenticator.authenticate(credentialsFromHeaders(request.headers));
    if (principal !== undefined) response.locals['principal'] = principal;
    next();
  };
}

/** Passes the refusal on, and audits it when the request would have changed something. */
function refuse(audit: AuditLog, request: Request, response: Response, error: ShoalError): ShoalError {
  if (!READ_METHODS.has(request.method)) {
    audit.record({ actor: principalOf(response)?.id ?? 'anonymous', action: `${request.method} ${request.originalUrl.split('?')[0]}`, target: undefined, outcome: 'failure', errorCode: error.code, address: request.ip });
  }
  return error;
}

function unauthenticated(request: Request): ShoalError {
  const credentials = credentialsFromHeaders(request.headers);
  const presented = credentials.bearer !== undefined || credentials.sessionSecret !== undefined;
  return new ShoalError('UNAUTHENTICATED', presented ? 'the session has expired or the token is not valid; log in again' : 'log in, or send Authorization: Bearer <API token>');
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

/** Why this principal may not call a route of this level, or undefined when it may. */
function forbidden(access: RouteAccess, principal: Principal, request: Request): ShoalError | undefined {
  if (principal.role === 'device') return access === 'device-read' ? undefined : new ShoalError('FORBIDDEN', 'a device credential may only download models');
  if (access === 'signed-in' || access === 'device-read' || access === 'read') return undefined;
  if (principal.role !== 'admin') return new ShoalError('FORBIDDEN', `this needs the admin role; ${describePrincipal(principal)} may only read`);
  // SameSite=Strict already keeps other sites from sending the cookie; this also refuses old browsers.
  const cookieOnly = principal.kind === 'session' && credentialsFromHeaders(request.headers).bearer === undefined;
  if (access === 'admin-change' && cookieOnly && !sameOrigin(request)) return new ShoalError('FORBIDDEN', "a cookie-authenticated change must come from the console's own origin");
  return undefined;
}

/** The first handler of every API route: lets the caller through if the route's access level allows them, else 401/403. */
export function authorizeRoute(access: RouteAccess, audit: AuditLog): RequestHandler {
  return (request, response, next) => {
    if (access === 'public') return next();
    const principal = principalOf(response);
    const refusal = principal === undefined ? unauthenticated(request) : forbidden(access, principal, request);
    next(refusal === undefined ? undefined : refuse(audit, request, response, refusal));
  };
}

/**
 * For a request no route will take (`problem` says why, or undefined to let it through): anonymous callers get 401, as
 * on every route that is not public, so paths reveal nothing without a credential; authenticated ones get the problem.
 */
export function refuseUnrouted(audit: AuditLog, problem: (request: Request) => ShoalError | undefined): RequestHandler {
  return (request, response, next) => {
    const error = problem(request);
    if (error === undefined) return next();
    next(principalOf(response) === undefined ? refuse(audit, request, response, unauthenticated(request)) : error);
  };
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
