/**
 * How the API's routes are registered: each with its access level, checked by the route's first handler once Express
 * has matched it; a changing route then reads its JSON body (so nothing is parsed for a caller who may not call it).
 */
import type { RequestHandler, Router } from 'express';
import type { AuditLog } from '../auth/audit-log.js';
import { authorizeRoute, type ChangeAccess, type ReadAccess } from '../auth/rest-guard.js';

export interface ApiRoutes {
  get(path: string, access: ReadAccess, ...handlers: RequestHandler[]): void;
  post(path: string, access: ChangeAccess, ...handlers: RequestHandler[]): void;
  delete(path: string, access: ChangeAccess, ...handlers: RequestHandler[]): void;
}

/** Registers on `router`, which should route strictly and case-sensitively so that only the documented spelling matches. */
export function apiRoutes(router: Router, deps: { audit: AuditLog; jsonBody: RequestHandler }): ApiRoutes {
  const { audit, jsonBody } = deps;
  return {
    // HEAD takes the GET route, with its access level.
    get: (path, access, ...handlers) => void router.get(path, authorizeRoute(access, audit), ...handlers),
    post: (path, access, ...handlers) => void router.post(path, authorizeRoute(access, audit), jsonBody, ...handlers),
    delete: (path, access, ...handlers) => void router.delete(path, authorizeRoute(access, audit), jsonBody, ...handlers),
  };
}
