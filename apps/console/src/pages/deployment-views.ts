/** Pieces of the deployment pages: cohort, client counts, latency and drift cells, and the rollback control. */
import type { DeploymentDriftView, DeploymentView } from '@shoal/protocol';
import { api, ApiError, isAbort } from '../api.js';
import { h, replaceChildren, type Child } from '../dom.js';
import { formatCount, formatNumber } from '../format.js';
import type { PageContext } from '../router.js';
import { badge } from '../ui.js';

const RELOAD_MS = 5000;

/**
 * Loads now, after every reconnect and every few seconds (telemetry arrives in windows, not as console events); a new
 * load aborts the one before, so only the latest renders.
 */
export function keepLoaded(context: PageContext, load: (signal: AbortSignal) => Promise<void>, failed: (error: unknown) => void): { reload(): void; dispose(): void } {
  let controller: AbortController | undefined;
  const reload = () => {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    load(current.signal).catch((error: unknown) => {
      if (!isAbort(error)) failed(error);
    });
  };
  const timer = setInterval(reload, RELOAD_MS);
  const offResync = context.live.onResync(reload);
  reload();
  return {
    reload,
    dispose() {
      clearInterval(timer);
      offResync();
      controller?.abort();
    },
  };
}

export const isActive = (deployment: DeploymentView): boolean => deployment.status === 'canary' || deployment.status === 'serving';

export function cohortText(cohort: readonly string[]): string {
  return cohort.length === 0 ? 'whole fleet' : cohort.join(', ');
}

export function clientsText(deployment: DeploymentView): string {
  const { assigned, online, canary } = deployment.clients;
  return `${formatCount(assigned)} (${formatCount(online)} online${canary > 0 ? `, ${formatCount(canary)} canary` : ''})`;
}

export function latency(value: number | undefined, column: string): Child {
  return h('span', { 'data-col': column, 'data-value': value === undefined ? '' : String(value) }, value === undefined ? '—' : `${value.toFixed(1)} ms`);
}

export function psi(value: number | undefined): string {
  return formatNumber(value, 3);
}

/** "2 flagged" or "none flagged", with the cohort's PSI; "—" without a reference or telemetry. */
export function driftCell(drift: DeploymentDriftView | undefined): Child {
  if (drift === undefined) return '—';
  if (!drift.hasReference) return h('span', { class: 'note' }, 'no reference');
  if (drift.total === 0) return h('span', { class: 'note' }, 'no telemetry');
  const { flaggedClients, flagged, inputPsi } = drift.cohort;
  return h(
    'span',
    { 'data-col': 'drift', 'data-flagged': String(flaggedClients) },
    badge(flaggedClients > 0 || flagged ? 'failed' : 'completed', flaggedClients > 0 ? `${formatCount(flaggedClients)} flagged` : 'none flagged'),
    ` input PSI ${psi(inputPsi)}`,
  );
}

export function statusCell(deployment: DeploymentView): Child {
  return h('span', { 'data-col': 'status', title: deployment.statusReason ?? '' }, badge(deployment.status, deployment.status === 'rolled_back' ? 'rolled back' : deployment.status));
}

/** Roll back, with a confirmation step; `done` reloads the page's data. */
export function rollbackControl(deployment: DeploymentView, done: () => void): HTMLElement {
  const holder = h('span', { class: 'confirm' });
  const ask = h('button', { type: 'button', class: 'button small danger', 'aria-label': `Roll back deployment ${deployment.id}` }, 'Roll back');
  ask.addEventListener('click', () => {
    const message = h('span', { class: 'field-error', role: 'alert' });
    const confirm = h('button', { type: 'button', class: 'button small danger' }, 'Roll back now');
    confirm.addEventListener('click', () => {
      confirm.disabled = true;
      api(`/deployments/${encodeURIComponent(deployment.id)}/rollback`, { method: 'POST' }).then(done, (error: unknown) => {
        confirm.disabled = false;
        message.textContent = error instanceof ApiError ? error.message : String(error);
      });
    });
    const cancel = h('button', { type: 'button', class: 'button small quiet', onclick: () => { replaceChildren(holder, ask); ask.focus(); } }, 'Keep');
    replaceChildren(holder, h('span', { class: 'confirm-text' }, `Stop ${deployment.status === 'canary' ? 'the canary' : 'serving it'}?`), confirm, cancel, message);
    confirm.focus();
  });
  holder.append(ask);
  return holder;
}
