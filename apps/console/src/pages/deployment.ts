/** One deployment: its status and history, the telemetry its clients report, and drift per client and for the cohort. */
import type { DeploymentDriftView, DeploymentView } from '@shoal/protocol';
import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatNumber, formatPercent, formatTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { badge, dataTable, errorState, loadingState, pageHeader, stat, stats } from '../ui.js';
import { clientsText, cohortText, driftCell, isActive, keepLoaded, latency, psi, rollbackControl, statusCell } from './deployment-views.js';

export function deploymentPage(context: PageContext): Page {
  const id = context.params['id'] ?? '';
  const body = h('div', { 'aria-live': 'polite' }, loadingState('the deployment'));
  const path = `/deployments/${encodeURIComponent(id)}`;
  const loader = keepLoaded(
    context,
    async (signal) => {
      const [deployment, drift] = await Promise.all([api<DeploymentView>(path, { signal }), api<DeploymentDriftView>(`${path}/drift`, { signal })]);
      replaceChildren(body, render(deployment, drift));
    },
    (error) => replaceChildren(body, errorState(error, () => loader.reload())),
  );

  function render(deployment: DeploymentView, drift: DeploymentDriftView): HTMLElement {
    const { telemetry } = deployment;
    const history = dataTable(
      'Status history',
      ['When', 'Status', 'By', 'Reason'],
      deployment.history.map((event) => [formatTime(event.at), badge(event.status, event.status.replace(/_/g, ' ')), event.actor, event.reason ?? '']),
    );
    const clients = dataTable(
      'Drift per client, flagged first',
      ['Client', 'Windows', 'Input PSI', 'Class PSI', 'Input mean', 'Drift'],
      drift.clients.map((client) => [
        h('a', { href: `/fleet?q=${encodeURIComponent(client.clientId)}` }, client.clientId),
        formatCount(client.windows),
        psi(client.inputPsi),
        psi(client.classPsi),
        formatNumber(client.inputMean, 3),
        client.flagged ? badge('failed', 'flagged') : badge('completed', 'ok'),
      ]),
    );
    clients.setAttribute('data-testid', 'drift-table');
    return h(
      'div',
      {},
      h('div', { class: 'page-actions' }, isActive(deployment) ? rollbackControl(deployment, () => loader.reload()) : null),
      stats(
        stat('Status', statusCell(deployment), 'deployment-status'),
        stat('Model', h('a', { href: `/models?job=${encodeURIComponent(deployment.jobId)}` }, `${deployment.jobId} v${deployment.version}`)),
        stat('Cohort', cohortText(deployment.cohort)),
        stat('Clients', clientsText(deployment)),
        stat('Requests', `${formatCount(telemetry.requests)} (${formatCount(telemetry.errors)} errors)`),
        stat('Latency p50', latency(telemetry.latencyMs?.p50, 'p50'), 'deployment-p50'),
        stat('Latency p99', latency(telemetry.latencyMs?.p99, 'p99'), 'deployment-p99'),
        stat('On-device accuracy', `${formatPercent(telemetry.accuracy)} of ${formatCount(telemetry.labelled)} labelled`),
        stat('Drift', driftCell(drift), 'deployment-drift'),
      ),
      deployment.statusReason === undefined ? null : h('p', { class: 'note' }, deployment.statusReason),
      h('h2', {}, 'Drift'),
      h('p', { class: 'note' }, `PSI against the reference recorded at promotion; flagged above ${drift.threshold}. Cohort: input ${psi(drift.cohort.inputPsi)}, classes ${psi(drift.cohort.classPsi)}.`),
      drift.total === 0 ? h('p', {}, 'No telemetry yet.') : clients,
      h('h2', {}, 'History'),
      history,
    );
  }

  return {
    title: `Deployment ${id}`,
    element: h('section', {}, pageHeader(`Deployment ${id}`), body),
    dispose: () => loader.dispose(),
  };
}
