/**
 * Local-training and inference benchmark of @shoal/ml on real MNIST: the default backend (as the agent
 * would pick it) against the pure-JS cpu backend measured in the same run.
 * Run: npm run bench:train [-- --quick]
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist, type LabeledExamples } from '@shoal/data';
import { buildPresetModel, initBackend, predict, trainLocal, type PresetName } from '@shoal/ml';

const quick = process.argv.includes('--quick');

interface Workload {
  /** Training examples per run, and epochs over them. */
  examples: number;
  epochs: number;
  /** Batch-1 predict calls per run. */
  calls: number;
}

/** Sizes per backend and model: the cpu backend needs ~1.2 s per CNN training example, so it gets far less work. */
function workload(backend: string, model: PresetName, batchSize: number): Workload | undefined {
  const cpu = backend === 'cpu';
  if (model === 'mnist-2nn') {
    if (quick) return { examples: cpu ? 200 : 500, epochs: 1, calls: 100 };
    return cpu ? { examples: 1000, epochs: 1, calls: 300 } : { examples: 4000, epochs: 2, calls: 500 };
  }
  if (cpu) {
    if (quick && batchSize === 32) return undefined;
    return { examples: batchSize, epochs: 1, calls: quick ? 10 : 50 };
  }
  return quick ? { examples: 64, epochs: 1, calls: 50 } : { examples: 320, epochs: 2, calls: 500 };
}

const RUNS = quick ? 1 : 3;
const BATCH_SIZES = [32, 10];
const MODELS: PresetName[] = ['mnist-2nn', 'mnist-cnn'];

type Metric = 'train32' | 'train10' | 'p50' | 'p99';
type Results = Map<string, number>; // `${model}:${metric}` -> median

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(sortedValues: number[], fraction: number): number {
  return sortedValues[Math.min(sortedValues.length - 1, Math.ceil(fraction * sortedValues.length) - 1)]!;
}

function subset(data: LabeledExamples, count: number): LabeledExamples {
  const perExample = data.features.length / data.count;
  return { ...data, count, features: data.features.subarray(0, count * perExample), labels: data.labels.subarray(0, count) };
}

async function trainingThroughput(model: PresetName, batchSize: number, train: LabeledExamples, load: Workload): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const network = buildPresetModel(model, { seed: run + 1 });
    // Warm-up: compiles the model and lets the backend set up its kernels.
    await trainLocal(network, subset(train, 1), { epochs: 1, batchSize, learningRate: 0.01, seed: 1 });
    const result = await trainLocal(network, subset(train, load.examples), { epochs: load.epochs, batchSize, learningRate: 0.01, seed: run });
    rates.push((result.numExamples * load.epochs) / (result.durationMs / 1000));
    network.dispose();
  }
  return median(rates);
}

async function inferenceLatency(model: PresetName, test: LabeledExamples, load: Workload): Promise<{ p50: number; p99: number }> {
  const perExample = test.features.length / test.count;
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const network = buildPresetModel(model, { seed: run + 1 });
    const example = (i: number) => test.features.subarray((i % test.count) * perExample, ((i % test.count) + 1) * perExample);
    for (let i = 0; i < 20; i++) predict(network, example(i), 1);
    const latencies: number[] = [];
    for (let i = 0; i < load.calls; i++) {
      const started = performance.now();
      predict(network, example(i), 1);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    p50s.push(percentile(latencies, 0.5));
    p99s.push(percentile(latencies, 0.99));
    network.dispose();
  }
  return { p50: median(p50s), p99: median(p99s) };
}

async function measure(backend: string, train: LabeledExamples, test: LabeledExamples): Promise<Results> {
  const results: Results = new Map();
  for (const model of MODELS) {
    for (const batchSize of BATCH_SIZES) {
      const load = workload(backend, model, batchSize);
      if (load === undefined) continue;
      const started = performance.now();
      const rate = await trainingThroughput(model, batchSize, train, load);
      results.set(`${model}:train${batchSize}`, rate);
      log(`  ${backend} ${model} train batch ${batchSize}: ${rate.toFixed(1)} samples/s (${RUNS} x ${load.epochs} epoch(s) of ${load.examples}, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    const load = workload(backend, model, 1)!;
    const { p50, p99 } = await inferenceLatency(model, test, load);
    results.set(`${model}:p50`, p50);
    results.set(`${model}:p99`, p99);
    log(`  ${backend} ${model} predict batch 1: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (${RUNS} x ${load.calls} calls)`);
  }
  return results;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const ROWS: { metric: Metric; label: string; higherIsBetter: boolean; digits: number }[] = [
  { metric: 'train32', label: 'train samples/s, batch 32', higherIsBetter: true, digits: 1 },
  { metric: 'train10', label: 'train samples/s, batch 10', higherIsBetter: true, digits: 1 },
  { metric: 'p50', label: 'predict batch-1 p50 (ms)', higherIsBetter: false, digits: 3 },
  { metric: 'p99', label: 'predict batch-1 p99 (ms)', higherIsBetter: false, digits: 3 },
];

function table(defaultName: string, main: Results, baseline: Results | undefined): string {
  const header = ['model', 'metric', defaultName, 'cpu', `speedup ${defaultName}/cpu`];
  const rows: string[][] = [];
  for (const model of MODELS) {
    for (const row of ROWS) {
      const value = main.get(`${model}:${row.metric}`);
      const base = baseline?.get(`${model}:${row.metric}`);
      const speedup = value === undefined || base === undefined ? '—' : `${(row.higherIsBetter ? value / base : base / value).toFixed(1)}x`;
      rows.push([model, row.label, value?.toFixed(row.digits) ?? '—', base?.toFixed(row.digits) ?? '—', speedup]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)].join('\n');
}

const benchStarted = performance.now();
const info = await initBackend();
const train = loadMnist('train', { limit: 4000 });
const test = loadMnist('test', { limit: 500 });
log(`measuring ${info.name}${quick ? ' (--quick)' : ''} ...`);
const main = await measure(info.name, train, test);
let baseline: Results | undefined;
if (info.name !== 'cpu') {
  // Same process, same data: only the backend changes. Models are rebuilt on it.
  await tf.setBackend('cpu');
  log('measuring the cpu baseline ...');
  baseline = await measure('cpu', train, test);
}

console.log(`\nShoal @shoal/ml benchmark: MNIST, SGD, medians of ${RUNS} run(s)${quick ? ', --quick' : ''}`);
console.log(`default backend: ${info.name} (${info.detail})`);
console.log(`baseline: cpu (@tensorflow/tfjs ${tf.version.tfjs} pure JS), node ${process.version}\n`);
console.log(table(info.name, main, baseline));
console.log(`\nSpeedup is ${info.name} over cpu (for latency: cpu time / ${info.name} time). cpu trains far fewer examples (CNN: one batch per run).`);
console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
