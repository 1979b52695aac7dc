import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { niceAxis } from './chart-model.js';
import { renderChartPng } from './png-chart.js';
import { renderReportHtml, runCharts } from './report.js';
import type { RoundLine, SimulationSummary } from './run-files.js';
import { DEFAULT_CONFIG } from './sim-config.js';

const LINES: RoundLine[] = [1, 2, 3, 4].map((round) => ({
  round,
  status: 'completed',
  accuracy: 0.8 + round * 0.04,
  loss: 1 / round,
  participants: 9,
  dropped: 1,
  selected: 10,
  bytesUp: 2_000_000,
  bytesDown: 8_000_000,
  durationMs: 1200,
  wallMs: 900,
  trainLoss: 1.2 / round,
  faults: { dropout: 1, crashMidTraining: 0, crashMidUpload: 0, late: 0, attackers: 0 },
}));

const SUMMARY = {
  jobId: 'job-1',
  jobStatus: 'completed',
  rounds: 4,
  completedRounds: 4,
  finalAccuracy: 0.96,
  bestAccuracy: 0.96,
  targetRound: null,
  finalWeightsSha256: 'ab'.repeat(32),
  acceptedUpdates: 36,
  wallSeconds: 6,
  secondsPerRound: 1.2,
  updatesPerSecond: 7.5,
  virtualSeconds: 4.8,
  peakRssMiB: 500,
  workers: 2,
  workerBusySeconds: [2, 2],
  counters: {},
} satisfies SimulationSummary;

const PARTITION = {
  sizes: { min: 600, median: 600, max: 600 },
  labelsPerClient: { median: 2 },
  labelSkew: 0.8,
  numClasses: 10,
  clients: [{ id: 'sim-00000', examples: 3, labels: [1, 2, 0, 0, 0, 0, 0, 0, 0, 0] }],
};

describe('PNG charts', () => {
  it('draws each series in its colour on a white canvas with axes', () => {
    const png = PNG.sync.read(renderChartPng(runCharts(LINES)['loss']!));
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);

    expect([png.width, png.height]).toEqual([800, 480]);
    expect(colours.has('255,255,255')).toBe(true);
    expect(colours.has('31,119,180')).toBe(true); // central test loss
    expect(colours.has('214,39,40')).toBe(true); // training loss
    expect(colours.has('40,40,40')).toBe(true); // axes and text
  });

  it('puts ticks on round numbers', () => {
    expect(niceAxis(0.83, 0.97).ticks).toEqual([0.8, 0.85, 0.9, 0.95, 1]);
    expect(niceAxis(1, 3, 8, 1).ticks).toEqual([1, 2, 3]);
  });
});

describe('HTML report', () => {
  it('is self-contained: inline SVG charts and styles, no scripts or external resources', () => {
    const html = renderReportHtml(DEFAULT_CONFIG, LINES, SUMMARY, 'MNIST', PARTITION);

    expect(html.match(/<svg /g)).toHaveLength(6); // five charts and the partition
    expect(html).not.toMatch(/<script|<link|(src|href)=/);
    expect(html).toContain('final accuracy 0.9600');
    expect(html).toContain('<td>4</td><td>completed</td><td>0.9600</td>');
  });

  it('shows ε only when the rounds carry one', () => {
    const withEpsilon = LINES.map((line) => ({ ...line, epsilon: line.round * 0.5 }));

    expect(renderReportHtml(DEFAULT_CONFIG, LINES, SUMMARY, 'MNIST', PARTITION)).not.toContain('<th>ε</th>');
    expect(renderReportHtml(DEFAULT_CONFIG, withEpsilon, SUMMARY, 'MNIST', PARTITION)).toContain('<td>2.000</td>');
  });
});
