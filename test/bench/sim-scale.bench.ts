/**
 * Scale of the simulator: 10,000 registered virtual clients with 100 sampled per round (2NN, MNIST IID, 6 examples
 * each), and a compute-bound fleet (1,000 clients × 60 examples), each with 1 and with 2 trainer workers. Every run is
 * its own process (so peak RSS is that run's); medians of --runs runs; the ratio is 2 workers over 1 in this run.
 * Run: npm run bench:sim-scale [-- --runs 3 --rounds 6 --out runs/bench-sim-scale]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import type { RoundLine, SimulationSummary } from '@shoal/simulator';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '6' },
    out: { type: 'string', default: 'runs/bench-sim-scale' },
  },
});
const runs = Number(values.runs);
const BIN = new URL('../../apps/simulator/bin/shoal-simulate.mjs', import.meta.url).pathname;

interface Fleet {
  name: string;
  args: string[];
}

const FLEETS: Fleet[] = [
  { name: '10,000 clients × 6 examples, 100/round', args: ['--clients', '10000', '--per-round', '100'] },
  { name: '1,000 clients × 60 examples, 100/round', args: ['--clients', '1000', '--per-round', '100'] },
];

interface Measurement {
  peakRssMiB: number;
  secondsPerRound: number;
  updatesPerSecond: number;
  setupSeconds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function measure(fleet: Fleet, workers: number, run: number): Measurement {
  const out = join(values.out, `${fleet.args[1]}-clients-${workers}w-${run}`);
  const args = [...fleet.args, '--rounds', values.rounds, '--workers', String(workers), '--batch-size', '10', '--eval-limit', '1000', '--seed', String(run + 1)];
  execFileSync(process.execPath, [BIN, ...args, '--out', out, '--no-progress'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SimulationSummary;
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RoundLine);
  // Round 1 builds the model in every worker; the steady state starts at round 2.
  const steady = lines.slice(1);
  // Real time on this machine (durationMs is the simulated round time).
  const seconds = steady.reduce((sum, line) => sum + line.wallMs, 0) / 1000;
  return {
    peakRssMiB: summary.peakRssMiB,
    secondsPerRound: median(steady.map((line) => line.wallMs / 1000)),
    updatesPerSecond: steady.reduce((sum, line) => sum + line.participants, 0) / seconds,
    setupSeconds: summary.wallSeconds - lines.reduce((sum, line) => sum + line.wallMs, 0) / 1000,
  };
}

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
const header = ['fleet', 'workers', 'peak RSS (MiB)', 's/round', 'client updates/s', 'set-up + tear-down (s)', 'updates/s vs 1 worker'];
const rows: string[][] = [];
for (const fleet of FLEETS) {
  const results = new Map<number, Measurement>();
  for (const workers of [1, 2]) {
    const samples = Array.from({ length: runs }, (_, run) => measure(fleet, workers, run));
    const result: Measurement = {
      peakRssMiB: median(samples.map((s) => s.peakRssMiB)),
      secondsPerRound: median(samples.map((s) => s.secondsPerRound)),
      updatesPerSecond: median(samples.map((s) => s.updatesPerSecond)),
      setupSeconds: median(samples.map((s) => s.setupSeconds)),
    };
    results.set(workers, result);
    const ratio = result.updatesPerSecond / results.get(1)!.updatesPerSecond;
    rows.push([fleet.name, String(workers), result.peakRssMiB.toFixed(0), result.secondsPerRound.toFixed(2), result.updatesPerSecond.toFixed(1), result.setupSeconds.toFixed(1), `${ratio.toFixed(2)}×`]);
    process.stderr.write(`${fleet.name}, ${workers} worker(s): ${JSON.stringify(samples.map((s) => Number(s.updatesPerSecond.toFixed(1))))} updates/s\n`);
  }
}
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(', ')}; medians of ${runs} runs of ${values.rounds} rounds (round 1 excluded)`);
