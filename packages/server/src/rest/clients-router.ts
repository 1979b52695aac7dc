/** GET /api/v1/clients (paged, searchable, filterable, sortable; sized for fleets of many thousands) and one client. */
import { ShoalError } from '@shoal/protocol';
import type { ClientRegistry } from '../fleet/client-registry.js';
import { CLIENT_SORT_KEYS, type ClientSortKey } from '../store/client-query.js';
import type { Store } from '../store/store.js';
import type { ApiRoutes } from './api-routes.js';
import { queryChoice, queryInteger, queryString } from './query-params.js';
import { toClientView } from './views.js';

export const CLIENT_PAGE_DEFAULT = 100;
export const CLIENT_PAGE_MAX = 1000;
const RECENT_CONTRIBUTIONS = 5;
const SORTS = CLIENT_SORT_KEYS.flatMap((key) => [key, `-${key}`]) as readonly string[];

export function clientsRoutes(routes: ApiRoutes, deps: { store: Store; registry: ClientRegistry }): void {
  const { store, registry } = deps;

  routes.get('/clients', 'read', (request, response) => {
    const sort = queryChoice(request, 'sort', SORTS) ?? 'id';
    const offset = queryInteger(request, 'offset', { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const limit = queryInteger(request, 'limit', { default: CLIENT_PAGE_DEFAULT, min: 1, max: CLIENT_PAGE_MAX });
    const page = store.queryClients({
      offset,
      limit,
      search: queryString(request, 'q', 200),
      status: queryChoice(request, 'status', ['online', 'offline'] as const),
      sort: sort.replace(/^-/, '') as ClientSortKey,
      descending: sort.startsWith('-'),
      onlineIds: registry.all().map((client) => client.id),
    });
    const recent = store.recentContributions(page.items.map((item) => item.client.id), RECENT_CONTRIBUTIONS);
    response.json({
      items: page.items.map(({ client, contributions }) => toClientView(client, registry.get(client.id), contributions, recent.get(client.id))),
      online: registry.size(),
      total: page.total,
      registered: store.countClients(),
      offset,
      limit,
    });
  });

  routes.get('/clients/:clientId', 'read', (request, response) => {
    const client = store.getClient(String(request.params['clientId']));
    if (client === undefined) throw new ShoalError('NOT_FOUND', `client ${request.params['clientId']} is not registered`);
    const recent = store.recentContributions([client.id], RECENT_CONTRIBUTIONS);
    response.json(toClientView(client, registry.get(client.id), store.contributionCounts().get(client.id) ?? 0, recent.get(client.id)));
  });
}
