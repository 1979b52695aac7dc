/**
 * One job, live: its state comes from REST once, then from /console events (no polling). A round's close triggers a
 * refetch of that round and the job summary, so the numbers shown are the API's; a reconnect refetches everything.
 */
import type { JobView, RoundView } from '@shoal/protocol';
import { api, ApiError, isAbort } from '../api.js';
import { allPages } from '../paged.js';
import { h, replaceChildren } from '../dom.js';
import { formatCountdown } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { errorState, loadingState } from '../ui.js';
import { createCharts, jobSubtitle, jobSummary, progressPanel, roundsTable, type OpenRound } from './job-views.js';

export function jobPage(context: PageContext): Page {
  const jobId = context.params['jobId'] ?? '';
  const path = `/jobs/${encodeURIComponent(jobId)}`;
  const title = h('h1', { tabindex: '-1' }, 'Job');
  const actionBar = h('div', { class: 'page-actions' });
  const subtitle = h('p', { class: 'lead' });
  const header = h('div', {}, h('div', { class: 'page-header' }, title, actionBar), subtitle);
  const body = h('div', { class: 'job-body' }, loadingState('the job'));
  const summary = h('div', { 'aria-live': 'polite' });
  const progress = h('div', {});
  const table = h('div', {});
  const actionMessage = h('p', { class: 'field-error', role: 'alert' });
  const countdown = h('span', { 'data-testid': 'round-countdown' }, '—');
  const charts = createCharts();
  const controller = new AbortController();
  let job: JobView | undefined;
  const rounds = new Map<number, RoundView>();
  let open: OpenRound | undefined;
  let loading = false;
  let staleWhileLoading = false;

  const sortedRounds = () => [...rounds.values()].sort((a, b) => a.round - b.round);

  function render(): void {
    if (job === undefined) return;
    title.textContent = job.name;
    subtitle.textContent = jobSubtitle(job);
    const hadFocus = actionBar.contains(document.activeElement);
    replaceChildren(actionBar, ...actions(job));
    if (hadFocus) title.focus();
    replaceChildren(summary, jobSummary(job));
    replaceChildren(progress, progressPanel(job, open, countdown));
    replaceChildren(table, h('section', { 'aria-labelledby': 'rounds-heading' }, h('h2', { id: 'rounds-heading' }, 'Rounds'), roundsTable(sortedRounds())));
    charts.update(sortedRounds());
    tick();
  }

  function tick(): void {
    const deadline = open?.deadlineAt;
    countdown.textContent = deadline === undefined ? '—' : formatCountdown(deadline - Date.now());
  }
  const ticker = setInterval(tick, 1000);

  async function load(): Promise<void> {
    loading = true;
    staleWhileLoading = false;
    try {
      const [view, list] = await Promise.all([api<JobView>(path, { signal: controller.signal }), allPages<RoundView>(`${path}/rounds`, { signal: controller.signal })]);
      job = view;
      rounds.clear();
      for (const round of list) rounds.set(round.round, round);
      const running = list.find((round) => round.status === 'running');
      open = running === undefined ? undefined : { round: running.round, selected: running.selected, reported: running.reported, failed: running.failed, deadlineAt: running.deadlineAt };
      if (body.querySelector('.job-content') === null) replaceChildren(body, h('div', { class: 'job-content' }, actionMessage, summary, progress, charts.element, table, configDetails(view)));
      render();
    } catch (error) {
      if (isAbort(error)) return;
      const missing = error instanceof ApiError && error.code === 'NOT_FOUND';
      replaceChildren(body, missing ? h('div', { class: 'state empty' }, h('p', { class: 'state-title' }, `There is no job ${jobId}.`), h('a', { href: '/jobs' }, 'See all jobs')) : errorState(error, () => void load()));
    } finally {
      loading = false;
      if (staleWhileLoading) void load();
    }
  }

  /** An event for this job arrived: apply it if the state is loaded, else load again once the current load ends. */
  function whenLoaded(apply: () => void): void {
    if (loading || job === undefined) {
      staleWhileLoading = true;
      return;
    }
    apply();
    render();
  }

  async function refreshRound(round: number): Promise<void> {
    try {
      const [view, latest] = await Promise.all([api<JobView>(path, { signal: controller.signal }), api<RoundView>(`${path}/rounds/${round}`, { signal: controller.signal })]);
      job = view;
      rounds.set(round, latest);
      render();
    } catch (error) {
      if (!isAbort(error)) void load();
    }
  }

  async function act(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    actionMessage.textContent = '';
    try {
      job = await api<JobView>(`${path}/${action}`, { method: 'POST', body: {} });
      render();
    } catch (error) {
      actionMessage.textContent = `Could not ${action} the job: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  function actions(view: JobView): HTMLElement[] {
    const buttons: HTMLElement[] = [h('a', { href: `/models?job=${encodeURIComponent(view.id)}`, class: 'button' }, 'Model versions')];
    if (view.status === 'running') buttons.push(h('button', { type: 'button', class: 'button', onclick: () => void act('pause') }, 'Pause'));
    if (view.status === 'paused') buttons.push(h('button', { type: 'button', class: 'button', onclick: () => void act('resume') }, 'Resume'));
    if (view.status === 'running' || view.status === 'paused') buttons.push(stopControl());
    return buttons;
  }

  function stopControl(): HTMLElement {
    const holder = h('span', { class: 'confirm' });
    const ask = h('button', { type: 'button', class: 'button danger' }, 'Stop');
    ask.addEventListener('click', () => {
      const confirm = h('button', { type: 'button', class: 'button danger', onclick: () => void act('stop') }, 'Stop the job');
      const cancel = h('button', { type: 'button', class: 'button quiet', onclick: () => { replaceChildren(holder, ask); ask.focus(); } }, 'Keep running');
      replaceChildren(holder, h('span', { class: 'confirm-text' }, 'Stop for good?'), confirm, cancel);
      confirm.focus();
    });
    holder.append(ask);
    return holder;
  }

  const mine = (event: { jobId: string }) => event.jobId === jobId;
  const unsubscribe = [
    context.live.on('round:started', (event) => mine(event) && whenLoaded(() => {
      open = { round: event.round, selected: event.selected, reported: 0, failed: 0, deadlineAt: event.deadlineAt };
      rounds.set(event.round, { jobId, round: event.round, status: 'running', startedAt: Date.now(), deadlineAt: event.deadlineAt, selected: event.selected, reported: 0, failed: 0, metrics: {} });
      if (job !== undefined) job = { ...job, currentRound: event.round };
    })),
    context.live.on('round:progress', (event) => mine(event) && whenLoaded(() => {
      if (open?.round === event.round) open = { ...open, selected: event.selected, reported: event.reported, failed: event.failed };
      const round = rounds.get(event.round);
      if (round !== undefined) rounds.set(event.round, { ...round, selected: event.selected, reported: event.reported, failed: event.failed });
    })),
    context.live.on('round:finished', (event) => mine(event) && whenLoaded(() => {
      if (open?.round === event.round) open = undefined;
      const round = rounds.get(event.round);
      if (round !== undefined) rounds.set(event.round, { ...round, status: event.status, metrics: event.metrics });
      void refreshRound(event.round);
    })),
    context.live.on('job:status', (event) => mine(event) && whenLoaded(() => {
      if (job !== undefined) job = { ...job, status: event.status, ...(event.reason === undefined ? {} : { statusReason: event.reason }) };
      if (event.status !== 'running' && event.status !== 'paused') void load();
    })),
    context.live.onResync(() => void load()),
  ];
  void load();

  return {
    title: `Job ${jobId}`,
    element: h('section', { class: 'job' }, header, body),
    dispose() {
      controller.abort();
      clearInterval(ticker);
      charts.dispose();
      unsubscribe.forEach((off) => off());
    },
  };
}

function configDetails(job: JobView): HTMLElement {
  const entries = Object.entries(job.config).filter(([key]) => key !== 'name');
  return h(
    'details',
    { class: 'panel' },
    h('summary', {}, 'Configuration'),
    h('dl', { class: 'config' }, ...entries.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, typeof value === 'object' ? JSON.stringify(value) : String(value))])),
  );
}
