/**
 * `npm run bench:strategies` (first part): FedAvg, FedAvgM, FedProx, FedAdam and FedYogi on the 2NN with
 * pathological non-IID MNIST (2 label shards per client), through the real coordinator code (the simulator): rounds
 * to 90% and 95% test accuracy and the final accuracy after a fixed number of rounds, one table. Seeded runs: a rerun
 * gives the same accuracies; wall time and the load average are printed. The second part of the script
 * (strategies-memory.bench.ts) prints each strategy's aggregation memory and time per update at 1.66M parameters.
 * Options: --rounds (60), --clients (100), --per-round (20), --only <name,…>, --workers, --seed, --json FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readRounds, resolveConfig, runSimulation } from '@shoal/simulator';
import { table } from './bench-support.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '100' },
    'per-round': { type: 'string', default: '20' },
    only: { type: 'string' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});

const STRATEGIES: Record<string, Record<string, unknown>> = {
  FedAvg: { name: 'fedavg' },
  FedAvgM: { name: 'fedavgm' },
  FedProx: { name: 'fedprox', proximalMu: 0.01 },
  FedAdam: { name: 'fedadam' },
  FedYogi: { name: 'fedyogi' },
};

const chosen = Object.entries(STRATEGIES).filter(([name]) => values.only === undefined || values.only.split(',').includes(name));
const root = mkdtempSync(join(tmpdir(), 'shoal-bench-strategies-'));
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
console.log(`bench:strategies — 2NN, pathological non-IID (2 shards per client), ${values.clients} clients, ${values['per-round']} per round, E = 1, B = 10, η_client = 0.1, ${values.rounds} rounds, seed ${values.seed}; load average ${load()}`);

const rows: string[][] = [];
const results: Record<string, unknown>[] = [];
try {
  for (const [label, strategy] of chosen) {
    const out = join(root, label);
    const summary = await runSimulation(
      resolveConfig({
        clients: Number(values.clients), perRound: Number(values['per-round']), rounds: Number(values.rounds), partition: 'pathological', shardsPerClient: 2,
        model: 'mnist-2nn', batchSize: 10, learningRate: 0.1, codec: 'float32', workers: Number(values.workers), seed: Number(values.seed), strategy, progress: false, out,
      }),
    );
    const lines = readRounds(out);
    const firstAt = (target: number) => lines.find((line) => (line.accuracy ?? 0) >= target)?.round;
    const to90 = firstAt(0.9);
    const to95 = firstAt(0.95);
    const result = { strategy: label, settings: strategy, to90, to95, final: summary.finalAccuracy, best: summary.bestAccuracy, wallSeconds: summary.wallSeconds };
    results.push(result);
    process.stderr.write(`${label}: ${JSON.stringify(result)} (load ${load()})\n`);
    rows.push([
      label,
      JSON.stringify(strategy),
      to90 === undefined ? `> ${values.rounds}` : String(to90),
      to95 === undefined ? `> ${values.rounds}` : String(to95),
      summary.finalAccuracy === null ? 'n/a' : (summary.finalAccuracy * 100).toFixed(2),
      summary.bestAccuracy === null ? 'n/a' : (summary.bestAccuracy * 100).toFixed(2),
      summary.wallSeconds.toFixed(0),
    ]);
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(`\n${table(['strategy', 'settings (defaults otherwise)', 'rounds to 90%', 'rounds to 95%', `final % (round ${values.rounds})`, 'best %', 'wall s'], rows)}`);
console.log(`\nload average after: ${load()}`);
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
