/** Audit log: every administrator action (logins, job creation, pause, resume, stop) and refused attempts, newest first. */
import type { MessageOf } from '@shoal/protocol';
import { api, isAbort } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { badge, dataTable, emptyState, errorState, loadingState, pageHeader } from '../ui.js';

type AuditEntry = MessageOf<'audit-entry'>;
const PAGE = 100;

export function auditPage(context: PageContext): Page {
  const results = h('div', { 'aria-live': 'polite' }, loadingState('the audit log'));
  const controller = new AbortController();
  let entries: AuditEntry[] = [];
  let total = 0;

  async function load(more: boolean): Promise<void> {
    const before = more ? entries.at(-1)?.id : undefined;
    try {
      const page = await api<{ items: AuditEntry[]; total: number }>(`/audit?limit=${PAGE}${before === undefined ? '' : `&before=${before}`}`, { signal: controller.signal });
      entries = more ? [...entries, ...page.items] : page.items;
      total = page.total;
      replaceChildren(results, render());
    } catch (error) {
      if (!isAbort(error)) replaceChildren(results, errorState(error, () => void load(more)));
    }
  }

  function render(): HTMLElement {
    if (entries.length === 0) return emptyState('No administrator actions yet.', h('p', {}, 'Logins, job changes and refused attempts are recorded here.'));
    const rows = entries.map((entry) => [
      h('time', { datetime: new Date(entry.at).toISOString() }, formatTime(entry.at)),
      h('span', { class: 'mono' }, entry.actor),
      h('span', { class: 'mono' }, entry.action),
      entry.target ?? '—',
      badge(entry.outcome),
      entry.errorCode ?? '—',
      entry.address ?? '—',
    ]);
    const table = dataTable('Audit log, newest first', ['Time', 'Who', 'Action', 'Target', 'Outcome', 'Error', 'Address'], rows);
    table.setAttribute('data-testid', 'audit-table');
    return h(
      'div',
      {},
      table,
      h('div', { class: 'pager' }, h('p', { class: 'pager-summary' }, `Showing ${entries.length} of ${total}`), entries.length < total ? h('button', { type: 'button', class: 'button', onclick: () => void load(true) }, 'Load older entries') : null),
    );
  }

  const unsubscribe = [context.live.onResync(() => void load(false)), context.live.on('job:status', () => void load(false))];
  void load(false);
  return {
    title: 'Audit log',
    element: h('section', {}, pageHeader('Audit log'), h('p', { class: 'lead' }, 'Who did what, when, and how it ended. “Who” is the session or token that acted.'), results),
    dispose() {
      controller.abort();
      unsubscribe.forEach((off) => off());
    },
  };
}
