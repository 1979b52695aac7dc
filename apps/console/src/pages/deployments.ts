/**
 * Deployments: what is served to which cohort, with status, client counts, telemetry latency and drift flags; canary
 * and serving deployments can be rolled back.
 */
import type { DeploymentDriftView, DeploymentView } from '@shoal/protocol';
import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatPercent, formatTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { dataTable, emptyState, errorState, loadingState, pageHeader } from '../ui.js';
import { clientsText, cohortText, driftCell, isActive, keepLoaded, latency, rollbackControl, statusCell } from './deployment-views.js';

export function deploymentsPage(context: PageContext): Page {
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loadingState('deployments'));
  const highlight = context.query.get('highlight') ?? undefined;
  const loader = keepLoaded(
    context,
    async (signal) => {
      const { items } = await api<{ items: DeploymentView[] }>('/deployments', { signal });
      const drifts = await Promise.all(
        items.map((deployment) => (isActive(deployment) ? api<DeploymentDriftView>(`/deployments/${encodeURIComponent(deployment.id)}/drift?limit=1`, { signal }) : undefined)),
      );
      replaceChildren(results, render(items, drifts));
    },
    (error) => replaceChildren(results, errorState(error, () => loader.reload())),
  );

  function render(deployments: DeploymentView[], drifts: (DeploymentDriftView | undefined)[]): HTMLElement {
    if (deployments.length === 0) {
      return emptyState('Nothing is served yet.', h('p', {}, 'Promote a model version to a cohort of clients on the Models page.'), h('a', { href: '/models', class: 'button primary' }, 'Models'));
    }
    const rows = deployments.map((deployment, index) => [
      h('a', { href: `/deployments/${encodeURIComponent(deployment.id)}`, class: 'strong' }, deployment.id),
      h('a', { href: `/models?job=${encodeURIComponent(deployment.jobId)}` }, `${deployment.jobId} v${deployment.version}`),
      cohortText(deployment.cohort),
      statusCell(deployment),
      clientsText(deployment),
      formatCount(deployment.telemetry.requests),
      latency(deployment.telemetry.latencyMs?.p50, 'p50'),
      latency(deployment.telemetry.latencyMs?.p99, 'p99'),
      formatPercent(deployment.telemetry.accuracy),
      driftCell(drifts[index]),
      h('time', { datetime: new Date(deployment.createdAt).toISOString() }, formatTime(deployment.createdAt)),
      isActive(deployment) ? rollbackControl(deployment, () => loader.reload()) : '',
    ]);
    const table = dataTable('Deployments, newest first', ['Deployment', 'Model', 'Cohort', 'Status', 'Clients', 'Requests', 'p50', 'p99', 'Accuracy', 'Drift', 'Created', 'Actions'], rows);
    table.setAttribute('data-testid', 'deployments-table');
    table.querySelectorAll('tbody tr').forEach((row, index) => {
      const id = deployments[index]!.id;
      row.setAttribute('data-deployment-id', id);
      if (id === highlight) row.classList.add('highlight');
    });
    return table;
  }

  return {
    title: 'Deployments',
    element: h('section', {}, pageHeader('Deployments', h('a', { href: '/models', class: 'button' }, 'Promote a version')), h('p', { class: 'lead' }, 'Model versions served to cohorts of clients, with the telemetry they report and drift against the reference recorded at promotion.'), results),
    dispose: () => loader.dispose(),
  };
}
