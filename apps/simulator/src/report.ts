/** The run's report: PNG charts under charts/ and a self-contained report.html (inline SVG and CSS, nothing fetched). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERIES_COLORS, type ChartSpec } from './chart-model.js';
import { renderChartPng } from './png-chart.js';
import { FILES, type RoundLine, type SimulationSummary } from './run-files.js';
import type { SimulationConfig } from './sim-config.js';
import { escapeHtml, renderChartSvg } from './svg-chart.js';

const MIB = 1024 * 1024;

function series(name: string, index: number, lines: RoundLine[], value: (line: RoundLine) => number | null): ChartSpec['series'][number] {
  const points = lines.flatMap((line): [number, number][] => {
    const y = value(line);
    return y === null || !Number.isFinite(y) ? [] : [[line.round, y]];
  });
  return { name, color: SERIES_COLORS[index % SERIES_COLORS.length]!, points };
}

/** The charts of a run, by file name. */
export function runCharts(lines: RoundLine[]): Record<string, ChartSpec> {
  return {
    accuracy: { title: 'Test accuracy', xLabel: 'round', yLabel: 'accuracy', series: [series('central test accuracy', 0, lines, (l) => l.accuracy)] },
    loss: {
      title: 'Loss',
      xLabel: 'round',
      yLabel: 'loss',
      series: [series('central test loss', 0, lines, (l) => l.loss), series('clients training loss', 1, lines, (l) => l.trainLoss)],
    },
    clients: {
      title: 'Clients per round',
      xLabel: 'round',
      yLabel: 'clients',
      series: [series('participants', 2, lines, (l) => l.participants), series('dropped', 1, lines, (l) => l.dropped)],
    },
    bytes: {
      title: 'Traffic per round (MiB)',
      xLabel: 'round',
      yLabel: 'MiB',
      series: [series('up', 0, lines, (l) => l.bytesUp / MIB), series('down', 3, lines, (l) => l.bytesDown / MIB)],
    },
    duration: {
      title: 'Round duration (s)',
      xLabel: 'round',
      yLabel: 'seconds',
      series: [series('simulated', 4, lines, (l) => l.durationMs / 1000), series('wall time', 0, lines, (l) => l.wallMs / 1000)],
    },
  };
}

interface PartitionFile {
  sizes: { min: number; median: number; max: number };
  labelsPerClient: { median: number };
  labelSkew: number;
  numClasses: number;
  clients: { id: string; examples: number; labels: number[] }[];
}

/** Stacked bars of the first clients' label histograms. */
function partitionSvg(partition: PartitionFile, shown = 40): string {
  const clients = partition.clients.slice(0, shown);
  const largest = Math.max(1, ...clients.map((client) => client.examples));
  const barWidth = 600 / Math.max(1, clients.length);
  const bars = clients.map((client, i) => {
    let top = 200;
    return client.labels
      .map((count, label) => {
        const height = (count / largest) * 180;
        top -= height;
        const color = `hsl(${(label * 360) / partition.numClasses} 65% 55%)`;
        return count === 0 ? '' : `<rect x="${(20 + i * barWidth).toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth * 0.8).toFixed(1)}" height="${height.toFixed(1)}" fill="${color}"><title>${escapeHtml(client.id)}: label ${label} × ${count}</title></rect>`;
      })
      .join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 220" width="640" height="220">${bars.join('')}<text x="20" y="215" class="tick">first ${clients.length} clients; colour = label, height = examples</text></svg>`;
}

function cell(value: number | null, digits = 4): string {
  return value === null ? '–' : value.toFixed(digits);
}

export function renderReportHtml(config: SimulationConfig, lines: RoundLine[], summary: SimulationSummary, datasetName: string, partition: PartitionFile): string {
  const charts = Object.values(runCharts(lines)).map(renderChartSvg).join('\n');
  const rows = lines
    .map((l) => `<tr><td>${l.round}</td><td>${l.status}</td><td>${cell(l.accuracy)}</td><td>${cell(l.loss)}</td><td>${l.participants}/${l.selected}</td><td>${l.dropped}</td><td>${(l.bytesUp / MIB).toFixed(2)}</td><td>${(l.bytesDown / MIB).toFixed(2)}</td><td>${(l.durationMs / 1000).toFixed(2)}</td><td>${(l.wallMs / 1000).toFixed(2)}</td>${l.epsilon === undefined ? '' : `<td>${l.epsilon.toFixed(3)}</td>`}</tr>`)
    .join('\n');
  const faults = config.faults;
  const facts: [string, string][] = [
    ['data', `${datasetName}, ${config.partition} partition${config.partition === 'dirichlet' || config.partition === 'quantity-skew' ? ` (α = ${config.alpha})` : ''}`],
    ['fleet', `${config.clients.toLocaleString('en')} virtual clients, ${config.perRound} per round, quorum ${config.quorum}, ${config.transport} transport, ${config.workers} worker(s)`],
    ['training', `${config.model}, ${JSON.stringify(config.strategy)}, E = ${config.localEpochs}, B = ${config.batchSize === 0 ? '∞' : config.batchSize}, η = ${config.learningRate}, ${config.codec} uploads, seed ${config.seed}`],
    ['faults', `dropout ${faults.dropout}, crash mid-training ${faults.crashMidTraining}, crash mid-upload ${faults.crashMidUpload}, stragglers ${faults.stragglers === undefined ? 'none' : `lognormal median ${faults.stragglers.medianMs} ms σ ${faults.stragglers.sigma}`}, attackers ${faults.malicious === undefined ? 'none' : `${faults.malicious.fraction} ${faults.malicious.attack}`}`],
    ['partition', `examples per client ${partition.sizes.min}–${partition.sizes.max} (median ${partition.sizes.median}), median ${partition.labelsPerClient.median} labels per client, label skew ${partition.labelSkew.toFixed(3)}`],
    ['result', `${summary.rounds} rounds (${summary.jobStatus}), final accuracy ${cell(summary.finalAccuracy)}, best ${cell(summary.bestAccuracy)}${summary.targetRound === null ? '' : `, target reached at round ${summary.targetRound}`}`],
    ['speed', `${summary.virtualSeconds.toFixed(1)} s simulated; on this machine ${summary.secondsPerRound.toFixed(2)} s per round (median), ${summary.updatesPerSecond.toFixed(1)} client updates/s, peak RSS ${summary.peakRssMiB.toFixed(0)} MiB, wall ${summary.wallSeconds.toFixed(1)} s`],
    ['final weights', `sha256 ${summary.finalWeightsSha256}`],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shoal simulation report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1320px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg{background:#fff;border:1px solid #ddd}
.grid{stroke:#e6e6e6}.axis{stroke:#333;fill:none;stroke-width:1.5}.tick{font-size:11px;fill:#333}.title{font-size:14px;font-weight:600;fill:#222}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
</style></head><body>
<h1>Shoal simulation report</h1>
<dl>${facts.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(text)}</dd>`).join('')}</dl>
<h2>Rounds</h2><div class="charts">${charts}</div>
<h2>Partition</h2>${partitionSvg(partition)}
<h2>Per round</h2>
<table><thead><tr><th>round</th><th>status</th><th>accuracy</th><th>loss</th><th>participants</th><th>dropped</th><th>MiB up</th><th>MiB down</th><th>simulated s</th><th>wall s</th>${lines.some((l) => l.epsilon !== undefined) ? '<th>ε</th>' : ''}</tr></thead>
<tbody>${rows}</tbody></table>
</body></html>
`;
}

/** Writes report.html and charts/*.png into the run directory. */
export function writeReport(config: SimulationConfig, lines: RoundLine[], summary: SimulationSummary, datasetName: string): void {
  const partition = JSON.parse(readFileSync(join(config.out, FILES.partition), 'utf8')) as PartitionFile;
  for (const [name, spec] of Object.entries(runCharts(lines))) writeFileSync(join(config.out, FILES.charts, `${name}.png`), renderChartPng(spec));
  writeFileSync(join(config.out, FILES.report), renderReportHtml(config, lines, summary, datasetName, partition));
}
