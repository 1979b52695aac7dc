/**
 * Privacy–utility table (`npm run bench:privacy`): the 2NN on MNIST, 100 clients holding IID shards, Poisson sampling
 * with q = 0.2 (20 expected per round), DP-FedAvg with central noise z ∈ {0 (no DP), 0.5, 1.0}; final test accuracy on
 * the 10,000 test images and ε at δ = 1e-5 after R rounds. Real coordinator and real SDK clients, in one process.
 *   node --import tsx test/bench/privacy.bench.ts [--rounds 30] [--clients 100] [--clip 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { ShoalClient } from '@shoal/client';
import { loadMnistShard } from '@shoal/data';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, clients: { type: 'string', default: '100' }, clip: { type: 'string', default: '1' } } });
const ROUNDS = Number(values.rounds);
const CLIENTS = Number(values.clients);
const CLIP = Number(values.clip);
const Q = 0.2;
const DELTA = 1e-5;

async function run(noiseMultiplier: number): Promise<{ accuracy: number; epsilon: number | undefined; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-privacy-bench-'));
  const coordinator = new Coordinator({ port: 0, dataDir: dir, logger: pino({ level: 'warn' }) });
  const { url } = await coordinator.start();
  const clients = Array.from({ length: CLIENTS }, (_, i) =>
    new ShoalClient({ coordinatorUrl: url, name: `c${i}`, train: loadMnistShard({ partition: 'iid', shard: { index: i, count: CLIENTS } }), seed: i }));
  const registered = clients.map((client) => new Promise((resolve) => client.once('registered', resolve)));
  await Promise.all(clients.map((client) => client.start()));
  await Promise.all(registered);
  const started = Date.now();
  const common = { name: `privacy z=${noiseMultiplier}`, model: { preset: 'mnist-2nn' }, rounds: ROUNDS, localEpochs: 1, batchSize: 20, learningRate: 0.1, minFitClients: 5, roundDeadlineMs: 300_000, evaluation: { dataset: 'mnist-test' } };
  const request =
    noiseMultiplier === 0
      ? { ...common, fractionFit: Q }
      : { ...common, privacy: { mode: 'central', noiseMultiplier, clipping: { clipNorm: CLIP }, samplingRate: Q, accountant: { kind: 'rdp', delta: DELTA, populationSize: CLIENTS } } };
  const job = await coordinator.jobs.create(request);
  while (coordinator.store.getJob(job.id)!.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    const done = coordinator.store.listRounds(job.id).filter((r) => r.status !== 'running').length;
    process.stderr.write(`\r  z=${noiseMultiplier}: round ${done}/${ROUNDS}`);
  }
  process.stderr.write('\n');
  const rounds = coordinator.store.listRounds(job.id);
  const last = rounds.filter((r) => r.metrics.centralAccuracy !== undefined).at(-1);
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
  return { accuracy: last?.metrics.centralAccuracy ?? Number.NaN, epsilon: rounds.at(-1)?.metrics.epsilon, seconds: (Date.now() - started) / 1000 };
}

console.log(`privacy-utility: 2NN, MNIST IID, ${CLIENTS} clients, Poisson q=${Q} (${Q * CLIENTS} expected/round), E=1, B=20, lr=0.1, C=${CLIP}, R=${ROUNDS}, δ=${DELTA}`);
const rows: string[] = [];
for (const z of [0, 0.5, 1.0]) {
  const result = await run(z);
  rows.push(`| ${z === 0 ? '0 (no DP)' : z} | ${(result.accuracy * 100).toFixed(2)} % | ${result.epsilon === undefined ? '∞ (no DP)' : result.epsilon.toFixed(2)} | ${result.seconds.toFixed(0)} s |`);
}
console.log('| z | test accuracy | ε at δ = 1e-5 | wall time |\n|---|---:|---:|---:|');
for (const row of rows) console.log(row);
process.exit(0);
