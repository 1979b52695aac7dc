/**
 * Accuracy parity of compressed uploads (`npm run bench:parity`): the 2NN on MNIST, every client in every round,
 * IID and pathological non-IID (two labels per client), a fixed number of rounds, with uploads in
 * (a) float32, (b) int8 (no error feedback) and (c) top-k 1% + 8-bit qsgd with error feedback. Reports the final
 * test accuracy on the 10,000 MNIST test images and the total bytes uploaded. Real coordinator and real SDK
 * clients in one process; downloads are float32 in all three, so only the upload codec differs.
 *
 *   node --import tsx test/bench/parity.bench.ts [--rounds 30] [--clients 10] [--examples 600] [--partition iid,pathological] [--configs a,b,c]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { ShoalClient } from '@shoal/client';
import { createRng, loadMnistShard, selectExamples, type LabeledExamples, type PartitionScheme } from '@shoal/data';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '10' },
    examples: { type: 'string', default: '600' },
    partition: { type: 'string', default: 'iid,pathological' },
    configs: { type: 'string', default: 'a,b,c' },
  },
});
const ROUNDS = Number(values.rounds);
const CLIENTS = Number(values.clients);
const EXAMPLES = Number(values.examples);
const TRAINING = { localEpochs: 1, batchSize: 10, learningRate: 0.1 };

interface Config {
  key: string;
  label: string;
  uploadCodec: { id: string; params?: Record<string, unknown> };
  errorFeedback: boolean;
}

const CONFIGS: Config[] = [
  { key: 'a', label: '(a) float32 deltas', uploadCodec: { id: 'float32' }, errorFeedback: false },
  { key: 'b', label: '(b) int8', uploadCodec: { id: 'int8' }, errorFeedback: false },
  { key: 'c', label: '(c) top-k 1% + 8-bit + error feedback', uploadCodec: { id: 'topk+qsgd', params: { fraction: 0.01, bits: 8, blockSize: 256 } }, errorFeedback: true },
];

interface Outcome {
  accuracy: number;
  curve: number[];
  bytesUp: number;
  seconds: number;
}

/** Client i's examples: a seeded random EXAMPLES of its shard (so a pathological client keeps both of its labels). */
function clientData(partition: PartitionScheme, index: number): LabeledExamples {
  const shard = loadMnistShard({ partition, shard: { index, count: CLIENTS } });
  const order = createRng(7).fork(`parity-${partition}-${index}`).shuffle(Array.from({ length: shard.count }, (_, i) => i));
  return selectExamples(shard, order.slice(0, Math.min(EXAMPLES, shard.count)).sort((a, b) => a - b));
}

async function run(partition: PartitionScheme, config: Config): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-parity-'));
  const coordinator = new Coordinator({ port: 0, dataDir: join(dir, 'coordinator'), logger: pino({ level: 'error' }) });
  const { url } = await coordinator.start();
  const clients = Array.from({ length: CLIENTS }, (_, i) =>
    new ShoalClient({ coordinatorUrl: url, name: `c${i}`, train: clientData(partition, i), stateDir: join(dir, `agent-${i}`), seed: 100 + i }));
  const refusals: string[] = [];
  for (const client of clients) client.on('refused', (refusal) => refusals.push(`${refusal.event} ${refusal.code}`));
  const registered = clients.map((client) => new Promise((resolve) => client.once('registered', resolve)));
  await Promise.all(clients.map((client) => client.start()));
  await Promise.all(registered);
  const started = Date.now();
  const job = await coordinator.jobs.create({
    name: `parity ${partition} ${config.key}`,
    model: { preset: 'mnist-2nn' },
    seed: 1,
    rounds: ROUNDS,
    minFitClients: CLIENTS,
    roundDeadlineMs: 600_000,
    ...TRAINING,
    uploadCodec: config.uploadCodec,
    errorFeedback: config.errorFeedback,
    evaluation: { dataset: 'mnist-test' },
  });
  while (coordinator.store.getJob(job.id)!.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const done = coordinator.store.listRounds(job.id).filter((round) => round.status !== 'running').length;
    process.stderr.write(`\r  ${partition} ${config.label}: round ${done}/${ROUNDS}`);
  }
  process.stderr.write('\n');
  const rounds = coordinator.store.listRounds(job.id);
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
  if (refusals.length > 0 || rounds.some((round) => round.status !== 'completed')) {
    throw new Error(`${partition} ${config.label}: ${rounds.filter((round) => round.status !== 'completed').length} rounds failed; refusals: ${refusals.slice(0, 5).join('; ')}`);
  }
  const curve = rounds.map((round) => round.metrics.centralAccuracy ?? Number.NaN);
  return { accuracy: curve.at(-1)!, curve, bytesUp: rounds.reduce((sum, round) => sum + (round.metrics.bytesUp ?? 0), 0), seconds: (Date.now() - started) / 1000 };
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const partitions = values.partition.split(',') as PartitionScheme[];
const configs = CONFIGS.filter((config) => values.configs.split(',').includes(config.key));
const checkpoints = [1, 5, 10, 20, 30, 50].filter((round) => round < ROUNDS).concat(ROUNDS);

console.log(`accuracy parity: 2NN on MNIST, ${CLIENTS} clients × ${EXAMPLES} examples, all ${CLIENTS} per round, E=${TRAINING.localEpochs}, B=${TRAINING.batchSize}, lr=${TRAINING.learningRate}, ${ROUNDS} rounds, float32 downloads, test accuracy on 10,000 images`);
for (const partition of partitions) {
  const results = new Map<string, Outcome>();
  for (const config of configs) results.set(config.key, await run(partition, config));
  const baseline = results.get('a');
  console.log(`\n### ${partition}\n`);
  console.log(`| uploads | final accuracy | Δ vs (a) | total bytes up | (a) / this | ${checkpoints.map((round) => `acc @${round}`).join(' | ')} | wall time |`);
  console.log(`|---|---:|---:|---:|---:|${checkpoints.map(() => '---:').join('|')}|---:|`);
  for (const config of configs) {
    const outcome = results.get(config.key)!;
    const delta = baseline === undefined ? '—' : `${((outcome.accuracy - baseline.accuracy) * 100).toFixed(2)} pt`;
    const ratio = baseline === undefined ? '—' : `${(baseline.bytesUp / outcome.bytesUp).toFixed(1)}×`;
    const curve = checkpoints.map((round) => percent(outcome.curve[round - 1]!)).join(' | ');
    console.log(`| ${config.label} | ${percent(outcome.accuracy)} | ${delta} | ${mib(outcome.bytesUp)} (${outcome.bytesUp.toLocaleString('en-US')} B) | ${ratio} | ${curve} | ${outcome.seconds.toFixed(0)} s |`);
  }
}
process.exit(0);
