/**
 * `npm run bench:robust`: robust aggregation against attackers, through the real coordinator code (the simulator, in
 * virtual time). The 2NN on MNIST, 100 clients, 20 per round, 30 rounds, IID and Dirichlet(0.5); for each strategy,
 * the final test accuracy clean and with 20% of the clients attacking (scale ×10, sign flip, random, inflated example
 * counts, "a little is enough"). Each run is seeded, so a rerun gives the same accuracies; the wall time of every run
 * is printed with the load average. Options: --rounds, --clients, --per-round, --only <strategy,…>, --attacks <…>,
 * --partitions <iid,dirichlet>, --workers, --seed, --json FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig, runSimulation } from '@shoal/simulator';
import { table } from './bench-support.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '100' },
    'per-round': { type: 'string', default: '20' },
    only: { type: 'string' },
    attacks: { type: 'string' },
    partitions: { type: 'string', default: 'iid,dirichlet' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});

/** Krum's f is the attackers per round at 20% of 20; every job waits for 12 updates (Krum needs n ≥ 2f + 3 = 11). */
export const STRATEGIES: Record<string, Record<string, unknown>> = {
  fedavg: { name: 'fedavg' },
  median: { name: 'fedmedian' },
  'trimmed-mean': { name: 'fedtrimmedavg', trimFraction: 0.2 },
  krum: { name: 'krum', byzantineClients: 4 },
  'multi-krum': { name: 'multikrum', byzantineClients: 4 },
  'fedavg+normBound': { name: 'fedavg', normBound: { clipNorm: 1, adaptive: { targetQuantile: 0.5 } } },
  'trimmed-mean+normBound': { name: 'fedtrimmedavg', trimFraction: 0.2, normBound: { clipNorm: 1, adaptive: { targetQuantile: 0.5 } } },
};
const ATTACKS: Record<string, Record<string, unknown> | undefined> = {
  clean: undefined,
  'scale ×10': { fraction: 0.2, attack: 'scale', scale: 10 },
  'sign flip': { fraction: 0.2, attack: 'sign-flip' },
  random: { fraction: 0.2, attack: 'random' },
  'inflated n (1e9)': { fraction: 0.2, attack: 'inflate' },
  'a little is enough': { fraction: 0.2, attack: 'alie', z: 1 },
};
const PARTITIONS: Record<string, Record<string, unknown>> = { iid: { partition: 'iid' }, dirichlet: { partition: 'dirichlet', alpha: 0.5 } };

const pick = <T>(all: Record<string, T>, list: string | undefined) => Object.entries(all).filter(([name]) => list === undefined || list.split(',').includes(name));
const strategies = pick(STRATEGIES, values.only);
const attacks = pick(ATTACKS, values.attacks);
const partitions = pick(PARTITIONS, values.partitions);
const root = mkdtempSync(join(tmpdir(), 'shoal-bench-robust-'));
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');

console.log(`bench:robust — ${values.clients} clients, ${values['per-round']} per round, ${values.rounds} rounds, 2NN on MNIST, seed ${values.seed}; load average ${load()}`);
const results: { partition: string; strategy: string; attack: string; accuracy: number | null; wallSeconds: number }[] = [];
try {
  for (const [partitionName, partition] of partitions) {
    for (const [strategyName, strategy] of strategies) {
      for (const [attackName, malicious] of attacks) {
        const out = join(root, `${partitionName}-${strategyName}-${attackName}`.replace(/[^a-z0-9.+-]+/gi, '_'));
        const summary = await runSimulation(
          resolveConfig({
            clients: Number(values.clients), perRound: Number(values['per-round']), quorum: 12, rounds: Number(values.rounds),
            model: 'mnist-2nn', batchSize: 10, learningRate: 0.1, codec: 'int8', workers: Number(values.workers), seed: Number(values.seed),
            strategy, faults: malicious === undefined ? {} : { malicious }, progress: false, out, ...partition,
          }),
        );
        results.push({ partition: partitionName, strategy: strategyName, attack: attackName, accuracy: summary.finalAccuracy, wallSeconds: summary.wallSeconds });
        process.stderr.write(`${partitionName} ${strategyName} ${attackName}: ${((summary.finalAccuracy ?? 0) * 100).toFixed(2)}% (${summary.wallSeconds.toFixed(0)} s, load ${load()})\n`);
        rmSync(out, { recursive: true, force: true });
      }
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

for (const [partitionName] of partitions) {
  const clean = results.find((r) => r.partition === partitionName && r.strategy === 'fedavg' && r.attack === 'clean')?.accuracy;
  console.log(`\n### ${partitionName}: final test accuracy (%); clean FedAvg ${clean === undefined || clean === null ? 'n/a' : (clean * 100).toFixed(2)}\n`);
  const rows = strategies.map(([strategyName]) => [
    strategyName,
    ...attacks.map(([attackName]) => {
      const accuracy = results.find((r) => r.partition === partitionName && r.strategy === strategyName && r.attack === attackName)?.accuracy;
      return accuracy === undefined || accuracy === null ? 'n/a' : (accuracy * 100).toFixed(2);
    }),
  ]);
  console.log(table(['strategy', ...attacks.map(([name]) => name)], rows));
}
console.log(`\nload average after: ${load()}`);
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
