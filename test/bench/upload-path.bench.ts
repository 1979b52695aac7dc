/**
 * `npm run bench:upload-path` (issue #15): where the coordinator's CPU goes per update. A real Coordinator runs in
 * this process (SQLite in a temporary directory, no central evaluation); the `bench:fleet-scale` device process
 * connects N raw socket.io clients that download the weights and upload one pre-computed int8 delta per round. It
 * prints coordinator CPU per update and upload MB/s (medians over jobs), and with `--profile` the top self-time
 * functions of one more job from the V8 sampling profiler (node:inspector), grouped by package as well.
 *
 *   npm run bench:upload-path -- [--clients 300] [--rounds 3] [--jobs 3] [--profile] [--top 25]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type Profiler } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { fixed, median, table } from './bench-support.js';
import { BenchChild, killChildren, type RoundTally } from './fleet-scale-support.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    jobs: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    'upload-codec': { type: 'string', default: 'int8' },
    'download-codec': { type: 'string', default: 'float32' },
  },
});
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const load = () => loadavg().map((value) => fixed(value, 2)).join(', ');

interface RoundSample {
  cpuMsPerUpdate: number;
  uploadMBs: number;
  wallSeconds: number;
  accepted: number;
  downloads: number;
}

const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
const now = () => performance.timeOrigin + performance.now();

/** Runs one job of `rounds` rounds over every connected device; per round: this process's CPU per accepted update, upload MB/s. */
async function runJob(coordinator: Coordinator, devices: BenchChild): Promise<RoundSample[]> {
  const marks = new Map<number, { startedAt: number; startedCpu: number; endedAt?: number; endedCpu?: number }>();
  let jobId = '';
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  // The job id is known only once create returns, after round 1 may have started: events before that are this job's (the only one running).
  const ours = (event: { jobId: string }) => jobId === '' || event.jobId === jobId;
  const started = (event: { jobId: string; round: number }) => {
    if (ours(event)) marks.set(event.round, { startedAt: now(), startedCpu: cpuMicros() });
  };
  const finished = (event: { jobId: string; round: number }) => {
    const mark = marks.get(event.round);
    if (mark === undefined || !ours(event)) return;
    mark.endedAt = now();
    mark.endedCpu = cpuMicros();
    if (event.round === rounds) resolveDone();
  };
  coordinator.events.on('round:started', started);
  coordinator.events.on('round:finished', finished);
  const job = await coordinator.jobs.create({
    name: `upload-path ${clients}`, model: { preset: 'mnist-2nn' }, rounds, minFitClients: clients, maxFitClients: clients, fractionFit: 1,
    roundDeadlineMs: 600_000, uploadCodec: { id: values['upload-codec'] }, downloadCodec: { id: values['download-codec'] },
  });
  jobId = job.id;
  await done;
  coordinator.events.off('round:started', started);
  coordinator.events.off('round:finished', finished);
  const tallies = Object.entries(await devices.request<Record<string, RoundTally>>('rounds'));
  return Array.from({ length: rounds }, (_, r) => {
    const round = r + 1;
    const mark = marks.get(round)!;
    const tally = tallies.find(([key]) => key === `${jobId}/${round}`)![1];
    if (Object.keys(tally.problems).length > 0) console.log(`round ${round} problems ${JSON.stringify(tally.problems)}`);
    return {
      cpuMsPerUpdate: (mark.endedCpu! - mark.startedCpu) / 1000 / Math.max(1, tally.accepted),
      uploadMBs: tally.uploadBytes / 1e6 / ((tally.lastAckAt - tally.firstUploadAt!) / 1000),
      wallSeconds: (mark.endedAt! - mark.startedAt) / 1000,
      accepted: tally.accepted,
      downloads: tally.downloads,
    };
  });
}

/** Self time by function and by package (the path segment after packages/ or node_modules/) from a V8 CPU profile. */
function summarise(profile: Profiler.Profile, top: number): void {
  const selfMicros = new Map<number, number>();
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[index] ?? 0)));
  const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const parents = new Map<number, Profiler.ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const name = (node: Profiler.ProfileNode) => {
    const { functionName, url } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/');
    return `${functionName || '(anonymous)'}${url === '' ? '' : ` ${file.split('/').slice(-2).join('/')}`}`;
  };
  /** Self time of native functions (no file) by their nearest caller with a file, so `run` says which statement's caller. */
  const nativeBy = new Map<string, number>();
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    const { functionName, url } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/');
    const key = name(node);
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    if (url === '' && !functionName.startsWith('(')) {
      const chain: string[] = [];
      for (let up = parents.get(node.id); up !== undefined && chain.length < 3; up = parents.get(up.id)) if (up.callFrame.url !== '' && !up.callFrame.url.startsWith('node:')) chain.push(name(up));
      const via = `${key} ← ${chain.join(' ← ')}`;
      nativeBy.set(via, (nativeBy.get(via) ?? 0) + micros);
    }
    const pkg = url === '' ? functionName : (/(?:packages|node_modules)\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (url.startsWith('node:') ? 'node internals' : file));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => [name, fixed(micros / 1000, 0), fixed((micros / total) * 100, 1)]);
  console.log(`\nprofile: ${fixed(total / 1000, 0)} ms sampled\n`);
  console.log(table(['self time by package', 'ms', '%'], rows(byPackage)));
  console.log();
  console.log(table(['self time by function', 'ms', '%'], rows(byFunction)));
  console.log();
  console.log(table(['native self time by caller', 'ms', '%'], rows(nativeBy)));
}

console.log(`bench:upload-path — ${clients} clients, ${values.jobs} jobs of ${rounds} rounds, upload ${values['upload-codec']}, download ${values['download-codec']}; ${cpus().length} cores; load average before ${load()}`);
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-bench-upload-path-'));
const coordinator = new Coordinator({
  port: 0, dataDir, logger: pino({ level: 'warn' }), centralEvaluation: false, adminToken: 'bench-upload-path',
  anonymousAdmission: { perAddressPerMinute: Number.POSITIVE_INFINITY },
});
const devices = BenchChild.start(new URL('./fleet-scale-devices.ts', import.meta.url), 'devices');
try {
  const { url } = await coordinator.start();
  await devices.request('connect', { url, count: clients, inFlight: 32, prefix: 'upload-path' });
  // A warm-up job (JIT, caches), not counted.
  await runJob(coordinator, devices);
  const samples: RoundSample[] = [];
  for (let job = 0; job < Number(values.jobs); job++) {
    const perRound = await runJob(coordinator, devices);
    console.log(`job ${job + 1}: CPU ms per update ${perRound.map((round) => fixed(round.cpuMsPerUpdate, 2)).join(', ')}; upload MB/s ${perRound.map((round) => fixed(round.uploadMBs)).join(', ')}; load ${load()}`);
    samples.push(...perRound);
  }
  const last = samples.at(-1)!;
  const stats = (pick: (sample: RoundSample) => number, digits: number) => {
    const picked = samples.map(pick);
    return [median(picked), Math.min(...picked), Math.max(...picked)].map((value) => fixed(value, digits));
  };
  console.log(`\n${table(['measure', 'median', 'min', 'max'], [
    ['coordinator CPU per update (ms)', ...stats((s) => s.cpuMsPerUpdate, 3)],
    ['upload MB/s (first fit:result sent → last ack)', ...stats((s) => s.uploadMBs, 1)],
    ['round wall time (s)', ...stats((s) => s.wallSeconds, 2)],
  ])}`);
  console.log(`\nlast round: ${last.accepted} accepted, ${last.downloads} downloads; load average after ${load()}`);
  if (values.profile) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    await runJob(coordinator, devices);
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    summarise(profile, Number(values.top));
  }
} finally {
  await devices.stop();
  await coordinator.stop();
  killChildren();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
