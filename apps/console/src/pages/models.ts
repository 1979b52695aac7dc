/**
 * Models: the versions of a job's global model with their metrics and lineage (the round that produced each, and its
 * parent), a download of each, and the serving actions: promote a version to a cohort, or roll a cohort back to it.
 */
import type { DeploymentView, JobView, ModelVersionView } from '@shoal/protocol';
import { api, isAbort } from '../api.js';
import { allPages } from '../paged.js';
import { h, replaceChildren, throttle } from '../dom.js';
import { formatBytes, formatNumber, formatPercent, formatTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { dataTable, emptyState, errorState, loadingState, pageHeader } from '../ui.js';
import { ServingForm, type ServingAction } from '../forms/serving-form.js';
import type { SchemaNode } from '../forms/schema-rules.js';

const SERVING_NOTE = 'Promote serves a version to a cohort of clients, optionally through a canary; roll back serves an earlier version to a cohort at once. Deployments lists what is served.';

export function modelsPage(context: PageContext): Page {
  const picker = h('div', {});
  const results = h('div', { 'aria-live': 'polite' }, loadingState('jobs'));
  const panel = h('div', { class: 'serving-panel' });
  const controller = new AbortController();
  let jobs: JobView[] = [];
  let selected = context.query.get('job') ?? undefined;

  async function loadJobs(): Promise<void> {
    try {
      jobs = (await api<{ items: JobView[] }>('/jobs', { signal: controller.signal })).items.slice().reverse();
      if (jobs.length === 0) {
        replaceChildren(picker);
        replaceChildren(results, emptyState('No models yet.', h('p', {}, 'Every job stores a version of its model after each successful round.'), h('a', { href: '/jobs/new', class: 'button primary' }, 'Create a job')));
        return;
      }
      if (selected === undefined || !jobs.some((job) => job.id === selected)) selected = jobs[0]?.id;
      const select = h('select', { id: 'models-job' }, ...jobs.map((job) => h('option', { value: job.id, selected: job.id === selected }, `${job.name} (${job.id})`)));
      select.addEventListener('change', () => {
        selected = select.value;
        history.replaceState(null, '', `/models?job=${encodeURIComponent(select.value)}`);
        void loadVersions();
      });
      replaceChildren(picker, h('div', { class: 'filters' }, h('div', { class: 'field grow' }, h('label', { for: 'models-job' }, 'Job'), select)));
      await loadVersions();
    } catch (error) {
      if (!isAbort(error)) replaceChildren(results, errorState(error, () => void loadJobs()));
    }
  }

  async function loadVersions(): Promise<void> {
    const job = jobs.find((candidate) => candidate.id === selected);
    if (job === undefined) return;
    try {
      const items = await allPages<ModelVersionView>(`/jobs/${encodeURIComponent(job.id)}/models`, { signal: controller.signal });
      replaceChildren(results, render(job, items));
    } catch (error) {
      if (!isAbort(error)) replaceChildren(results, errorState(error, () => void loadVersions()));
    }
  }

  function render(job: JobView, versions: ModelVersionView[]): HTMLElement {
    const rows = [...versions].reverse().map((version) => [
      h('span', { class: 'strong' }, `v${version.version}`, version.version === job.latestModelVersion ? h('span', { class: 'badge tone-info' }, 'latest') : null),
      version.round === undefined ? 'initial model' : h('span', {}, h('a', { href: `/jobs/${encodeURIComponent(job.id)}` }, job.name), `, round ${version.round}`),
      version.parentVersion === undefined ? '—' : `v${version.parentVersion}`,
      formatPercent(version.centralAccuracy),
      formatNumber(version.centralLoss),
      formatBytes(version.byteLength),
      h('time', { datetime: new Date(version.createdAt).toISOString() }, formatTime(version.createdAt)),
      h(
        'div',
        { class: 'row-actions' },
        h('a', { href: version.weightsUrl, download: `${job.id}-v${version.version}.shoal`, class: 'button small', 'aria-label': `Download weights of version ${version.version}` }, 'Weights'),
        h('a', { href: version.modelUrl, download: `${job.id}-model.json`, class: 'button small', 'aria-label': `Download model.json of ${job.name}` }, 'model.json'),
        h('button', { type: 'button', class: 'button small', 'aria-describedby': 'serving-note', 'aria-label': `Promote version ${version.version}`, onclick: () => void openForm('promote', job, version) }, 'Promote'),
        h('button', { type: 'button', class: 'button small', 'aria-describedby': 'serving-note', 'aria-label': `Roll back a cohort to version ${version.version}`, onclick: () => void openForm('rollback', job, version) }, 'Roll back'),
      ),
    ]);
    const table = dataTable(`Model versions of ${job.name}, newest first`, ['Version', 'Produced by', 'Parent', 'Test accuracy', 'Test loss', 'Size', 'Created', 'Actions'], rows);
    table.setAttribute('data-testid', 'models-table');
    return h('div', {}, h('p', { id: 'serving-note', class: 'note' }, SERVING_NOTE), panel, table);
  }

  let schema: Promise<SchemaNode> | undefined;
  async function openForm(action: ServingAction, job: JobView, version: ModelVersionView): Promise<void> {
    try {
      schema ??= api<SchemaNode>('/schemas/create-deployment-request', { signal: controller.signal });
      const close = () => replaceChildren(panel);
      const done = (deployment: DeploymentView) => context.navigate(`/deployments?highlight=${encodeURIComponent(deployment.id)}`);
      const form = new ServingForm(action, { jobId: job.id, jobName: job.name, version: version.version }, await schema, done, close);
      replaceChildren(panel, form.element);
      form.element.querySelector('input')?.focus();
    } catch (error) {
      schema = undefined;
      if (!isAbort(error)) replaceChildren(panel, errorState(error));
    }
  }

  const refresh = throttle(() => void loadVersions(), 1000);
  const unsubscribe = [context.live.on('round:finished', (event) => event.jobId === selected && refresh()), context.live.onResync(() => void loadJobs())];
  void loadJobs();
  return {
    title: 'Models',
    element: h('section', {}, pageHeader('Models'), h('p', { class: 'lead' }, 'Each successful round stores a new version of the job’s global model; its parent is the version the round trained.'), picker, results),
    dispose() {
      controller.abort();
      refresh.cancel();
      unsubscribe.forEach((off) => off());
    },
  };
}
