/** Pieces of the job page: summary figures, the open round's progress, the per-round charts and the rounds table. */
import type { JobView, RoundView } from '@shoal/protocol';
import { RoundChart } from '../charts.js';
import { h, type Child } from '../dom.js';
import { formatBytes, formatCount, formatDuration, formatNumber, formatPercent, formatRatio } from '../format.js';
import { badge, dataTable, stat, stats } from '../ui.js';

/** A figure that carries its raw value too, so what is shown can be checked against the API. */
function figure(text: string, value: number | undefined): HTMLElement {
  return h('span', { 'data-value': value === undefined ? '' : String(value) }, text);
}

export function jobSummary(job: JobView): HTMLElement {
  const { summary } = job;
  return stats(
    stat('Status', badge(job.status), 'job-status'),
    stat('Rounds completed', figure(`${formatCount(summary.roundsCompleted)} of ${formatCount(Number(job.config['rounds']))}`, summary.roundsCompleted), 'job-rounds-completed'),
    stat('Test accuracy', figure(formatPercent(summary.centralAccuracy), summary.centralAccuracy), 'job-accuracy'),
    stat('Test loss', figure(formatNumber(summary.centralLoss), summary.centralLoss), 'job-loss'),
    stat('Bytes up', figure(formatBytes(summary.bytesUp), summary.bytesUp), 'job-bytes-up'),
    stat('Bytes down', figure(formatBytes(summary.bytesDown), summary.bytesDown), 'job-bytes-down'),
    stat('Model version', figure(`v${job.latestModelVersion}`, job.latestModelVersion), 'job-version'),
  );
}

/** One line under the job's name: what it trains and since when. */
export function jobSubtitle(job: JobView): string {
  const model = job.config['model'] as { preset?: string } | undefined;
  const strategy = (job.config['strategy'] as { name?: string } | undefined)?.name ?? 'fedavg';
  return `${job.id} · ${model?.preset ?? 'uploaded tfjs model'} · ${strategy} · ${formatCount(job.parameterCount)} parameters · created ${new Date(job.createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}`;
}

export interface OpenRound {
  round: number;
  selected: number;
  reported: number;
  failed: number;
  deadlineAt: number | undefined;
}

export function progressPanel(job: JobView, open: OpenRound | undefined, countdown: HTMLElement): HTMLElement {
  const total = Number(job.config['rounds']);
  const done = job.summary.roundsCompleted;
  const current = open?.round ?? job.currentRound;
  const active = job.status === 'running' || job.status === 'paused';
  const note =
    job.status === 'paused'
      ? 'Paused: the open round finishes, then no new round starts until the job is resumed.'
      : !active
        ? `The job is ${job.status.replace(/_/g, ' ')}${job.statusReason === undefined ? '.' : `: ${job.statusReason}.`}`
        : open === undefined
          ? `Waiting for ${String(job.config['minAvailableClients'])} idle clients to start the next round.`
          : undefined;
  return h(
    'section',
    { class: 'panel progress', 'aria-labelledby': 'progress-heading' },
    h('h2', { id: 'progress-heading' }, 'Round progress'),
    h('p', { class: 'round-counter', 'data-testid': 'round-counter', 'data-round': String(current), 'data-total': String(total) }, `Round ${formatCount(current)} of ${formatCount(total)}`),
    h('progress', { max: String(Math.max(1, total)), value: String(done), 'aria-label': `${done} of ${total} rounds completed` }),
    open === undefined
      ? null
      : stats(
          stat('Selected', formatCount(open.selected), 'round-selected'),
          stat('Reported', formatCount(open.reported), 'round-reported'),
          stat('Failed or dropped', formatCount(open.failed), 'round-failed'),
          stat('Deadline in', countdown, 'round-deadline'),
        ),
    note === undefined ? null : h('p', { class: 'note' }, note),
  );
}

const COLORS = { central: '#1f6feb', federated: '#8250df', train: '#bf8700', up: '#1a7f37', down: '#cf222e', ratio: '#0969da', epsilon: '#9a6700' };
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function createCharts(): { element: HTMLElement; update(rounds: readonly RoundView[]): void; dispose(): void } {
  const charts = {
    accuracy: new RoundChart({ title: 'Accuracy per round', testId: 'chart-accuracy', empty: 'No accuracy yet: it appears when the first round closes.', series: [
      { label: 'test (central)', color: COLORS.central, format: percent },
      { label: 'federated', color: COLORS.federated, format: percent },
      { label: 'train', color: COLORS.train, format: percent },
    ] }),
    loss: new RoundChart({ title: 'Loss per round', testId: 'chart-loss', empty: 'No loss yet: it appears when the first round closes.', series: [
      { label: 'test (central)', color: COLORS.central, format: (v) => v.toFixed(3) },
      { label: 'federated', color: COLORS.federated, format: (v) => v.toFixed(3) },
      { label: 'train', color: COLORS.train, format: (v) => v.toFixed(3) },
    ] }),
    bytes: new RoundChart({ title: 'Bytes per round', testId: 'chart-bytes', empty: 'No traffic yet.', series: [
      { label: 'up (updates)', color: COLORS.up, format: (v) => formatBytes(v) },
      { label: 'down (models)', color: COLORS.down, format: (v) => formatBytes(v) },
    ] }),
    ratio: new RoundChart({ title: 'Compression ratio (float32 bytes ÷ bytes uploaded)', testId: 'chart-compression', empty: 'No accepted updates yet.', series: [{ label: 'ratio', color: COLORS.ratio, format: (v) => `${v.toFixed(2)}×` }] }),
    epsilon: new RoundChart({ title: 'Privacy budget spent (ε)', testId: 'chart-epsilon', empty: 'No privacy budget is spent: this job trains without differential privacy.', series: [{ label: 'ε', color: COLORS.epsilon, format: (v) => v.toFixed(2) }] }),
  };
  const element = h('section', { class: 'charts', 'aria-labelledby': 'charts-heading' }, h('h2', { id: 'charts-heading' }, 'Metrics'), h('p', { class: 'help' }, 'The rounds table below lists the same numbers.'), h('div', { class: 'chart-grid' }, ...Object.values(charts).map((chart) => chart.element)));
  return {
    element,
    update(rounds) {
      const closed = rounds.filter((round) => round.status !== 'running');
      const x = closed.map((round) => round.round);
      const pick = (read: (round: RoundView) => number | undefined) => closed.map((round) => read(round) ?? null);
      charts.accuracy.update(x, [pick((r) => r.metrics.centralAccuracy), pick((r) => r.metrics.federatedAccuracy), pick((r) => r.metrics.trainAccuracy)]);
      charts.loss.update(x, [pick((r) => r.metrics.centralLoss), pick((r) => r.metrics.federatedLoss), pick((r) => r.metrics.trainLoss)]);
      charts.bytes.update(x, [pick((r) => r.metrics.bytesUp), pick((r) => r.metrics.bytesDown)]);
      charts.ratio.update(x, [pick((r) => r.metrics.compressionRatio)]);
      charts.epsilon.update(x, [pick((r) => (r.metrics as { epsilon?: number }).epsilon)]);
    },
    dispose() {
      Object.values(charts).forEach((chart) => chart.dispose());
    },
  };
}

/** Updates the coordinator flagged (robust z-score of norm or distance to the aggregate); highlighted when any. */
function outliersCell(outliers: number | undefined): Child {
  const text = outliers === undefined ? '—' : formatCount(outliers);
  return h('span', { 'data-col': 'outliers', 'data-value': outliers === undefined ? '' : String(outliers), class: outliers !== undefined && outliers > 0 ? 'flag' : '', title: 'Updates whose norm or distance to the aggregate stood out (robust z-score above the job threshold)' }, text);
}

export function roundsTable(rounds: readonly RoundView[]): HTMLElement {
  if (rounds.length === 0) return h('p', { class: 'state empty' }, 'No rounds have started yet.');
  const cell = (column: string, text: string, value: number | undefined): Child => h('span', { 'data-col': column, 'data-value': value === undefined ? '' : String(value) }, text);
  const rows = [...rounds].reverse().map((round) => {
    const m = round.metrics;
    return [
      cell('round', String(round.round), round.round),
      h('span', { title: round.statusReason ?? '' }, badge(round.status)),
      cell('selected', formatCount(round.selected), round.selected),
      cell('reported', formatCount(round.reported), round.reported),
      cell('failed', formatCount(round.failed), round.failed),
      cell('centralAccuracy', formatPercent(m.centralAccuracy), m.centralAccuracy),
      cell('centralLoss', formatNumber(m.centralLoss), m.centralLoss),
      cell('federatedAccuracy', formatPercent(m.federatedAccuracy), m.federatedAccuracy),
      cell('bytesUp', formatBytes(m.bytesUp), m.bytesUp),
      cell('bytesDown', formatBytes(m.bytesDown), m.bytesDown),
      cell('compressionRatio', formatRatio(m.compressionRatio), m.compressionRatio),
      outliersCell(m.outliers),
      cell('durationMs', formatDuration(m.durationMs), m.durationMs),
      cell('modelVersion', round.modelVersion === undefined ? '—' : `v${round.modelVersion}`, round.modelVersion),
    ];
  });
  const table = dataTable('Rounds, newest first', ['Round', 'Status', 'Selected', 'Reported', 'Failed', 'Test accuracy', 'Test loss', 'Federated accuracy', 'Bytes up', 'Bytes down', 'Compression', 'Outliers', 'Duration', 'Version'], rows);
  table.querySelectorAll('tbody tr').forEach((row, index) => row.setAttribute('data-round', String(rounds[rounds.length - 1 - index]?.round ?? '')));
  table.setAttribute('data-testid', 'rounds-table');
  return table;
}
