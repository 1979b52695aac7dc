/** Jobs: every training job with its status, progress and latest accuracy; changes arrive live. */
import type { JobView } from '@shoal/protocol';
import { api, isAbort } from '../api.js';
import { h, replaceChildren, throttle } from '../dom.js';
import { formatBytes, formatPercent, formatTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { badge, dataTable, emptyState, errorState, loadingState, pageHeader } from '../ui.js';

export function jobsPage(context: PageContext): Page {
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loadingState('jobs'));
  let controller: AbortController | undefined;

  async function load(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    try {
      const { items } = await api<{ items: JobView[] }>('/jobs', { signal: current.signal });
      replaceChildren(results, render(items));
    } catch (error) {
      if (!isAbort(error)) replaceChildren(results, errorState(error, () => void load()));
    }
  }

  function render(jobs: JobView[]): HTMLElement {
    if (jobs.length === 0) {
      return emptyState('No jobs yet.', h('p', {}, 'A job trains one model on the fleet for a number of rounds.'), h('a', { href: '/jobs/new', class: 'button primary' }, 'Create the first job'));
    }
    const rows = [...jobs].reverse().map((job) => [
      h('a', { href: `/jobs/${encodeURIComponent(job.id)}`, class: 'strong' }, job.name),
      badge(job.status),
      `${job.summary.roundsCompleted} / ${String(job.config['rounds'] ?? '?')}`,
      formatPercent(job.summary.centralAccuracy ?? job.summary.federatedAccuracy),
      formatBytes(job.summary.bytesUp),
      formatBytes(job.summary.bytesDown),
      h('time', { datetime: new Date(job.createdAt).toISOString() }, formatTime(job.createdAt)),
    ]);
    return dataTable('Jobs, newest first', ['Job', 'Status', 'Rounds', 'Accuracy', 'Bytes up', 'Bytes down', 'Created'], rows);
  }

  const refresh = throttle(() => void load(), 1000);
  const unsubscribe = [context.live.on('job:status', refresh), context.live.on('round:finished', refresh), context.live.onResync(refresh)];
  void load();
  return {
    title: 'Jobs',
    element: h('section', {}, pageHeader('Jobs', h('a', { href: '/jobs/new', class: 'button primary' }, 'New job')), results),
    dispose() {
      controller?.abort();
      refresh.cancel();
      unsubscribe.forEach((off) => off());
    },
  };
}
