/** shoal-demo: coordinator + a local fleet of agent processes training the 2NN on MNIST, with live progress and a summary. */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { JobView, RoundView } from '@shoal/protocol';
import { AGENT_BIN, startCoordinator, startProgram, type Started } from './processes.js';
import { StatusLine, formatBytes, formatDuration, progressBar } from './terminal.js';

const positive = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!(parsed > 0)) throw new InvalidArgumentError(`${name} must be a positive number`);
  return parsed;
};

const options = new Command('shoal-demo')
  .description('Runs a federated training job on a local fleet and prints what happened')
  .option('--agents <n>', 'agent processes in the fleet', positive('agents'), 4)
  .option('--rounds <n>', 'training rounds', positive('rounds'), 20)
  .option('--model <preset>', 'mnist-2nn or mnist-cnn', 'mnist-2nn')
  .option('--partition <scheme>', 'iid or pathological', 'iid')
  .option('--epochs <n>', 'local epochs per round', positive('epochs'), 1)
  .option('--batch-size <n>', 'local batch size', positive('batch-size'), 32)
  .option('--learning-rate <lr>', 'client SGD learning rate', positive('learning-rate'), 0.1)
  .option('--codec <id>', 'upload codec', 'int8')
  .option('--download-delta-codec <id>', "how downloads relative to an agent's anchor are encoded (the full model is float32)", 'int8')
  .option('--strategy <name>', 'fedavg, fedavgm, fedprox, fedadam, fedyogi, fedadagrad, fedmedian, fedtrimmedavg, krum or multikrum', 'fedavg')
  .option('--strategy-json <json>', 'more strategy settings as JSON, e.g. \'{"trimFraction":0.2,"normBound":{"clipNorm":5}}\' (the job\'s strategy object)')
  .option('--target <accuracy>', 'test accuracy the demo aims for', positive('target'), 0.97)
  .option('--data-dir <path>', 'where the coordinator database, agent state and logs go', '.shoal/demo')
  .option('--keep', 'keep the data directory of an earlier run instead of starting fresh')
  .option('--admin-token <token>', 'admin token for the console and the job API (default: a random one, printed)')
  .option('--serve', 'keep the coordinator, the agents and the web console running after the summary (Ctrl-C to stop)')
  .parse()
  .opts();

const dataDir = resolve(String(options['dataDir']));
if (options['keep'] !== true) rmSync(dataDir, { recursive: true, force: true });
const agentsCount = Number(options['agents']);
const status = new StatusLine();
const children: Started[] = [];
const adminToken = options['adminToken'] === undefined ? randomBytes(18).toString('base64url') : String(options['adminToken']);
const admin = { authorization: `Bearer ${adminToken}` };

/** Every API call carries the admin token: reads need a credential too. */
async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { ...admin, ...(init?.body === undefined ? {} : { 'content-type': 'application/json' }), ...init?.headers } });
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${body.error?.code} ${body.error?.message}`);
  return body;
}

/** `--strategy-json`, parsed; the coordinator validates every field and names a bad one. */
function strategyExtras(): Record<string, unknown> {
  const text = options['strategyJson'];
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(String(text));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('--strategy-json must be a JSON object');
}

let strategy: Record<string, unknown>;
try {
  strategy = { ...strategyExtras(), name: String(options['strategy']) };
} catch (error) {
  console.error(`shoal-demo: ${(error as Error).message}`);
  process.exit(2);
}

async function waitForFleet(url: string): Promise<void> {
  for (;;) {
    const clients = await api<{ online: number }>(`${url}/api/v1/clients`);
    status.update(`waiting for agents: ${clients.online}/${agentsCount} connected`);
    if (clients.online >= agentsCount) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

function roundLine(round: RoundView, total: number): string {
  const m = round.metrics;
  const accuracy = m.centralAccuracy === undefined ? '   n/a' : `${(m.centralAccuracy * 100).toFixed(2)}%`;
  return `round ${String(round.round).padStart(3)}/${total}  ${round.status.padEnd(9)}  test acc ${accuracy}  loss ${m.centralLoss?.toFixed(4) ?? 'n/a'}  clients ${round.reported}/${round.selected}  up ${formatBytes(m.bytesUp ?? 0)}  down ${formatBytes(m.bytesDown ?? 0)}  ${formatDuration(m.durationMs ?? 0)}`;
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log(`Shoal demo: ${agentsCount} agents, ${options['model']} on MNIST (${options['partition']}), ${options['strategy']}, ${options['rounds']} rounds; data in ${dataDir}`);
  const coordinator = await startCoordinator(join(dataDir, 'coordinator'), { extraArgs: ['--admin-token', adminToken, '--require-enrolment'] });
  children.push(coordinator);
  console.log(`coordinator listening at ${coordinator.url}`);
  console.log(`web console at ${coordinator.url}/ (sign in with admin token ${adminToken})`);
  // The agents enrol as devices with one join token and sign every upload; the coordinator accepts enrolled devices only.
  const enrolment = await api<{ token: string }>(`${coordinator.url}/api/v1/join-tokens`, { method: 'POST', body: JSON.stringify({ uses: agentsCount, ttlMs: 3_600_000, labels: ['demo'] }) });
  for (let i = 0; i < agentsCount; i++) {
    children.push(
      startProgram(
        AGENT_BIN,
        ['--coordinator', coordinator.url, '--shard', `${i}/${agentsCount}`, '--partition', String(options['partition']), '--state-dir', join(dataDir, 'agents', `agent-${i}`), '--name', `agent-${i}`, '--join-token', enrolment.token],
        join(dataDir, 'agents', `agent-${i}.log`),
      ),
    );
  }
  await waitForFleet(coordinator.url);
  status.print(`fleet ready: ${agentsCount} agents connected`);

  const job = await api<JobView>(`${coordinator.url}/api/v1/jobs`, {
    method: 'POST',
    body: JSON.stringify({
      name: `demo ${options['model']}`,
      model: { preset: options['model'] },
      rounds: Number(options['rounds']),
      minFitClients: agentsCount,
      fractionFit: 1,
      localEpochs: Number(options['epochs']),
      batchSize: Number(options['batchSize']),
      learningRate: Number(options['learningRate']),
      uploadCodec: { id: String(options['codec']) },
      downloadDeltaCodec: { id: String(options['downloadDeltaCodec']) },
      strategy,
      roundDeadlineMs: 600_000,
      evaluation: { dataset: 'mnist-test' },
      requireEnrolledDevices: true,
    }),
  });
  status.print(`job ${job.id} launched (${job.parameterCount.toLocaleString()} parameters)`);

  const total = Number(options['rounds']);
  const printed = new Set<number>();
  let current: JobView = job;
  const jobStarted = Date.now();
  while (current.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    current = await api<JobView>(`${coordinator.url}/api/v1/jobs/${job.id}`);
    const rounds = (await api<{ items: RoundView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/rounds?limit=1000`)).items;
    for (const round of rounds) {
      if (round.status !== 'running' && !printed.has(round.round)) {
        printed.add(round.round);
        status.print(roundLine(round, total));
      }
    }
    const done = printed.size;
    const eta = done === 0 ? 'estimating' : formatDuration(((Date.now() - jobStarted) / done) * (total - done));
    status.update(`${progressBar(done, total)} ${done}/${total} rounds  elapsed ${formatDuration(Date.now() - jobStarted)}  eta ${eta}`);
  }
  status.clear();

  const versions = (await api<{ items: { version: number; weightsUrl: string }[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/models?limit=1000`)).items;
  const accuracy = current.summary.centralAccuracy ?? 0;
  const rounds = (await api<{ items: RoundView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/rounds?limit=1000`)).items;
  const ratio = rounds.map((r) => r.metrics.compressionRatio).filter((r): r is number => r !== undefined);
  const latest = versions.at(-1);
  console.log('');
  console.log('Summary');
  console.log(`  job                 ${current.id} (${current.status}${current.statusReason === undefined ? '' : `: ${current.statusReason}`})`);
  console.log(`  rounds completed    ${current.summary.roundsCompleted}/${total}`);
  console.log(`  final test accuracy ${(accuracy * 100).toFixed(2)}% on the 10,000 MNIST test images (target ${(Number(options['target']) * 100).toFixed(0)}%)`);
  console.log(`  bytes up            ${formatBytes(current.summary.bytesUp)} (${options['codec']} deltas, ${ratio.length > 0 ? (ratio.reduce((a, b) => a + b) / ratio.length).toFixed(2) : 'n/a'}x smaller than float32)`);
  console.log(`  bytes down          ${formatBytes(current.summary.bytesDown)} (float32 full models, ${options['downloadDeltaCodec']} deltas from each agent's anchor)`);
  console.log(`  model stored        version ${latest?.version} in ${join(dataDir, 'coordinator', 'shoal.sqlite')}`);
  console.log(`                      (served at ${coordinator.url}${latest?.weightsUrl} while a coordinator runs on that directory)`);
  console.log(`  wall time           ${formatDuration(Date.now() - started)}`);
  const reached = current.status === 'completed' && accuracy >= Number(options['target']);
  console.log(reached ? 'Target reached.' : 'Target NOT reached.');
  if (options['serve'] === true) {
    console.log(`\nStill serving: web console at ${coordinator.url}/ (admin token ${adminToken}). Press Ctrl-C to stop.`);
    await new Promise<never>(() => undefined);
  }
  return reached ? 0 : 1;
}

async function shutdown(code: number): Promise<never> {
  await Promise.all(children.map((child) => child.stop()));
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(130));
main().then(
  (code) => shutdown(code),
  (error: unknown) => {
    status.clear();
    console.error(`demo failed: ${(error as Error).message}`);
    return shutdown(1);
  },
);
