/** GET /api/v1/audit: the administrator audit log, newest first, paged backwards with `before`. */
import type { AuditLog } from '../auth/audit-log.js';
import { toAuditEntryView } from './admin-views.js';
import type { ApiRoutes } from './api-routes.js';
import { queryInteger } from './query-params.js';

export function auditRoutes(routes: ApiRoutes, deps: { audit: AuditLog }): void {
  routes.get('/audit', 'read', (request, response) => {
    const limit = queryInteger(request, 'limit', { default: 100, min: 1, max: 1000 });
    const before = queryInteger(request, 'before', { default: Number.MAX_SAFE_INTEGER, min: 1, max: Number.MAX_SAFE_INTEGER });
    const page = deps.audit.list({ limit, before });
    response.json({ items: page.items.map(toAuditEntryView), total: page.total });
  });
}
