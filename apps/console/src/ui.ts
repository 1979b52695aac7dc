/** Shared pieces of every page: headings, badges, statistics, and the loading, empty and error states. */
import { h, type Child } from './dom.js';
import { ApiError } from './api.js';

export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, title), actions.length > 0 ? h('div', { class: 'page-actions' }, ...actions) : null);
}

const BADGE_TONES: Record<string, string> = {
  online: 'good', running: 'info', completed: 'good', accepted: 'good', success: 'good',
  paused: 'warn', pending: 'muted', offline: 'muted', selected: 'muted',
  failed: 'bad', stopped: 'muted', failure: 'bad', rejected: 'bad', dropped: 'warn', late: 'warn', budget_exhausted: 'warn',
  canary: 'warn', serving: 'good', superseded: 'muted', rolled_back: 'bad',
};

export function badge(status: string, label: string = status.replace(/_/g, ' ')): HTMLElement {
  return h('span', { class: `badge tone-${BADGE_TONES[status] ?? 'muted'}`, 'data-status': status }, label);
}

export function stat(label: string, value: Child, testId?: string): HTMLElement {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
}

export function stats(...items: HTMLElement[]): HTMLElement {
  return h('dl', { class: 'stats' }, ...items);
}

export function loadingState(what: string): HTMLElement {
  return h('p', { class: 'state loading', role: 'status' }, `Loading ${what}…`);
}

export function emptyState(title: string, ...body: Child[]): HTMLElement {
  return h('div', { class: 'state empty' }, h('p', { class: 'state-title' }, title), ...body);
}

export function errorState(error: unknown, retry?: () => void): HTMLElement {
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError && error.code !== 'INTERNAL' ? ` (${error.code})` : '';
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('p', { class: 'state-title' }, 'Something went wrong'),
    h('p', {}, `${message}${code}`),
    retry === undefined ? null : h('button', { type: 'button', class: 'button', onclick: retry }, 'Try again'),
  );
}

/** A table whose cells name their column, so narrow screens can show each row as a labelled card. */
export function dataTable(caption: string, headers: readonly Child[], rows: readonly (readonly Child[])[], labels?: readonly string[]): HTMLElement {
  const names = labels ?? headers.map((header) => (typeof header === 'string' ? header : ''));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data-table' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell, index) => h('td', { 'data-label': names[index] ?? '' }, cell))))),
    ),
  );
}

export function code(text: string): HTMLElement {
  return h('code', {}, text);
}
