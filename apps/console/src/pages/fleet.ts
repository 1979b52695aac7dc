/**
 * Fleet: connected and registered clients, and one page of the fleet at a time, searched, filtered and sorted by the
 * coordinator (GET /api/v1/clients), so it stays fast with tens of thousands of clients. Presence changes arrive live.
 */
import type { ClientView } from '@shoal/protocol';
import { api, isAbort } from '../api.js';
import { h, replaceChildren, throttle, type Child } from '../dom.js';
import { formatAgo, formatCount, formatTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { badge, emptyState, errorState, loadingState, pageHeader, stat, stats } from '../ui.js';

interface ClientPage {
  items: ClientView[];
  online: number;
  total: number;
  registered: number;
  offset: number;
  limit: number;
}

const COLUMNS: { key: string | undefined; label: string }[] = [
  { key: 'name', label: 'Client' },
  { key: 'status', label: 'Status' },
  { key: 'lastSeen', label: 'Last seen' },
  { key: 'platform', label: 'Platform' },
  { key: 'backend', label: 'ML backend' },
  { key: undefined, label: 'Agent version' },
  { key: 'contributions', label: 'Contributions' },
];
const PAGE_SIZES = [25, 50, 100, 250];

export function fleetPage(context: PageContext): Page {
  const query = {
    q: context.query.get('q') ?? '',
    status: context.query.get('status') ?? '',
    sort: context.query.get('sort') ?? '-status',
    page: Math.max(1, Number(context.query.get('page') ?? '1') || 1),
    size: PAGE_SIZES.includes(Number(context.query.get('size'))) ? Number(context.query.get('size')) : 50,
  };
  const connected = h('span', { 'data-testid': 'fleet-online' }, '—');
  const registered = h('span', { 'data-testid': 'fleet-registered' }, '—');
  const results = h('div', { class: 'results', 'aria-live': 'polite', 'aria-busy': 'true' }, loadingState('clients'));
  let controller: AbortController | undefined;

  const search = h('input', { id: 'fleet-search', type: 'search', value: query.q, placeholder: 'name, id, platform, backend…', autocomplete: 'off' });
  const status = h(
    'select',
    { id: 'fleet-status' },
    ...[['', 'All clients'], ['online', 'Online'], ['offline', 'Offline']].map(([value, label]) => h('option', { value, selected: value === query.status }, label)),
  );
  const SORT_CHOICES: [string, string][] = [['-status', 'Online first'], ['name', 'Name'], ['-lastSeen', 'Last seen, newest'], ['lastSeen', 'Last seen, oldest'], ['-contributions', 'Most contributions'], ['platform', 'Platform'], ['backend', 'ML backend'], ['id', 'Client id']];
  const sort = h('select', { id: 'fleet-sort' }, ...SORT_CHOICES.map(([value, label]) => h('option', { value, selected: value === query.sort }, label)));
  if (!SORT_CHOICES.some(([value]) => value === query.sort)) sort.append(h('option', { value: query.sort, selected: true }, query.sort));
  sort.addEventListener('change', () => update({ sort: sort.value, page: 1 }));
  const size = h('select', { id: 'fleet-size' }, ...PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === query.size }, String(n))));
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => update({ q: search.value.trim(), page: 1 }), 250);
  });
  status.addEventListener('change', () => update({ status: status.value, page: 1 }));
  size.addEventListener('change', () => update({ size: Number(size.value), page: 1 }));

  function update(change: Partial<typeof query>): void {
    Object.assign(query, change);
    if (!Array.from(sort.options).some((option) => option.value === query.sort)) sort.append(h('option', { value: query.sort }, query.sort.startsWith('-') ? `${query.sort.slice(1)}, descending` : query.sort));
    sort.value = query.sort;
    const params = new URLSearchParams();
    if (query.q !== '') params.set('q', query.q);
    if (query.status !== '') params.set('status', query.status);
    if (query.sort !== '-status') params.set('sort', query.sort);
    if (query.page !== 1) params.set('page', String(query.page));
    if (query.size !== 50) params.set('size', String(query.size));
    history.replaceState(null, '', `/fleet${params.size > 0 ? `?${params}` : ''}`);
    void load();
  }

  async function load(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    results.setAttribute('aria-busy', 'true');
    const params = new URLSearchParams({ offset: String((query.page - 1) * query.size), limit: String(query.size), sort: query.sort });
    if (query.q !== '') params.set('q', query.q);
    if (query.status !== '') params.set('status', query.status);
    try {
      const page = await api<ClientPage>(`/clients?${params}`, { signal: current.signal });
      connected.textContent = formatCount(page.online);
      registered.textContent = formatCount(page.registered);
      replaceChildren(results, renderResults(page));
    } catch (error) {
      if (isAbort(error)) return;
      replaceChildren(results, errorState(error, () => void load()));
    } finally {
      if (controller === current) results.setAttribute('aria-busy', 'false');
    }
  }

  function sortButton(key: string, label: string): HTMLElement {
    const active = query.sort.replace(/^-/, '') === key;
    const descending = query.sort.startsWith('-');
    const next = active && !descending ? `-${key}` : key;
    return h(
      'button',
      { type: 'button', class: 'sort-button', onclick: () => update({ sort: next, page: 1 }), 'aria-label': `Sort by ${label}${active ? (descending ? ', now descending' : ', now ascending') : ''}` },
      label,
      h('span', { 'aria-hidden': 'true', class: 'sort-mark' }, active ? (descending ? ' ▼' : ' ▲') : ''),
    );
  }

  function renderResults(page: ClientPage): Child {
    if (page.registered === 0) {
      return emptyState(
        'No clients have registered yet.',
        h('p', {}, 'Start an agent and it appears here as soon as it says hello:'),
        h('pre', {}, h('code', {}, `npm run agent -- --coordinator ${location.origin} --shard 0/3`)),
      );
    }
    if (page.items.length === 0) {
      return emptyState('No clients match.', h('p', {}, 'Change the search or the status filter.'), h('button', { type: 'button', class: 'button', onclick: () => { search.value = ''; status.value = ''; update({ q: '', status: '', page: 1 }); } }, 'Clear filters'));
    }
    const pages = Math.max(1, Math.ceil(page.total / query.size));
    const first = page.offset + 1;
    const last = page.offset + page.items.length;
    const now = Date.now();
    const table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table', 'data-testid': 'fleet-table' },
        h('caption', { class: 'visually-hidden' }, `Clients ${first} to ${last} of ${page.total}`),
        h(
          'thead',
          {},
          h('tr', {}, ...COLUMNS.map((column) => {
            const sorted = column.key !== undefined && query.sort.replace(/^-/, '') === column.key;
            return h('th', { scope: 'col', 'aria-sort': sorted ? (query.sort.startsWith('-') ? 'descending' : 'ascending') : undefined }, column.key === undefined ? column.label : sortButton(column.key, column.label));
          })),
        ),
        h('tbody', {}, ...page.items.map((client) => clientRow(client, now))),
      ),
    );
    return h(
      'div',
      {},
      table,
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Fleet pages' },
        h('p', { class: 'pager-summary' }, `Showing ${formatCount(first)}–${formatCount(last)} of ${formatCount(page.total)}`),
        h('button', { type: 'button', class: 'button', disabled: query.page <= 1, onclick: () => update({ page: query.page - 1 }) }, '← Previous'),
        h('span', { class: 'pager-position' }, `Page ${formatCount(query.page)} of ${formatCount(pages)}`),
        h('button', { type: 'button', class: 'button', disabled: query.page >= pages, onclick: () => update({ page: query.page + 1 }) }, 'Next →'),
      ),
    );
  }

  const refresh = throttle(() => void load(), 2000);
  const unsubscribe = [
    context.live.on('client:online', (event) => {
      connected.textContent = formatCount(event.online);
      refresh();
    }),
    context.live.on('client:offline', (event) => {
      connected.textContent = formatCount(event.online);
      refresh();
    }),
    context.live.onResync(() => refresh()),
  ];
  void load();

  const element = h(
    'section',
    { class: 'fleet' },
    pageHeader('Fleet'),
    stats(stat('Connected', connected), stat('Registered', registered)),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (event: Event) => event.preventDefault() },
      h('div', { class: 'field grow' }, h('label', { for: 'fleet-search' }, 'Search clients'), search),
      h('div', { class: 'field' }, h('label', { for: 'fleet-status' }, 'Status'), status),
      h('div', { class: 'field' }, h('label', { for: 'fleet-sort' }, 'Sort by'), sort),
      h('div', { class: 'field' }, h('label', { for: 'fleet-size' }, 'Per page'), size),
    ),
    results,
  );
  return {
    title: 'Fleet',
    element,
    dispose() {
      controller?.abort();
      clearTimeout(searchTimer);
      refresh.cancel();
      unsubscribe.forEach((off) => off());
    },
  };
}

function clientRow(client: ClientView, now: number): HTMLElement {
  const recent = client.recentContributions ?? [];
  const cells: [string, Child][] = [
    ['Client', h('div', {}, h('span', { class: 'strong' }, client.name), h('br', {}), h('small', { class: 'muted mono' }, client.id))],
    ['Status', badge(client.status)],
    ['Last seen', h('time', { datetime: new Date(client.lastSeenAt).toISOString(), title: formatTime(client.lastSeenAt) }, client.status === 'online' ? 'now' : formatAgo(client.lastSeenAt, now))],
    ['Platform', client.capabilities.platform],
    ['ML backend', client.capabilities.backend],
    ['Agent version', client.capabilities.agentVersion],
    [
      'Contributions',
      h(
        'div',
        { class: 'contributions' },
        h('span', { class: 'strong' }, formatCount(client.contributions)),
        recent.length === 0
          ? null
          : h('ul', { class: 'chips', 'aria-label': 'Recent contributions' }, ...recent.map((c) => h('li', {}, h('a', { href: `/jobs/${encodeURIComponent(c.jobId)}`, title: `${c.jobId}, round ${c.round}: ${c.status}`, class: `chip tone-${c.status === 'accepted' ? 'good' : c.status === 'selected' ? 'muted' : 'warn'}` }, `r${c.round} ${c.status}`)))),
      ),
    ],
  ];
  return h('tr', { 'data-client-id': client.id }, ...cells.map(([label, cell]) => h('td', { 'data-label': label }, cell)));
}
