/**
 * `npm run bench:fleet-scale` (issue #15, "Measure"): how many devices one coordinator node holds and what they cost
 * (RSS per connection, hello latency, refusals past the cap, idle CPU per 10,000), rounds of 1,000 and 5,000
 * lightweight clients (wall time, updates/s, the coordinator's CPU per update, download bytes), and the upload path's
 * bytes/s against raw TCP loopback in the same run. The coordinator is a process of its own; the devices are raw
 * socket.io clients spread over several processes (one process may hold at most its open-file limit). Multi-node
 * coordination is not built yet, so only `--nodes 1` runs; the table has one column per node count.
 *
 *   npm run bench:fleet-scale -- [--devices 18000] [--max-connections N] [--beyond 200] [--rounds 3] [--round-sizes 1000,5000]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fixed, median, table } from './bench-support.js';
import { measureRounds, share, type RoundResult } from './fleet-scale-rounds.js';
import { BenchChild, cpuSeconds, killChildren, openFileLimits, quantile, rssBytes, sleep } from './fleet-scale-support.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1' },
    devices: { type: 'string', default: '18000' },
    'max-connections': { type: 'string' },
    beyond: { type: 'string', default: '200' },
    'per-process': { type: 'string', default: '8000' },
    'in-flight': { type: 'string', default: '32' },
    'idle-seconds': { type: 'string', default: '30' },
    'idle-runs': { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'round-sizes': { type: 'string', default: '1000,5000' },
    'upload-codec': { type: 'string', default: 'int8' },
    'download-codec': { type: 'string', default: 'float32' },
  },
});
const nodes = Number(values.nodes);
if (nodes !== 1) {
  console.error(`bench:fleet-scale: --nodes ${values.nodes} is not available: several coordinator nodes need the PostgreSQL store, the socket.io Redis adapter and job leases of issue #15, which are not built yet. Only --nodes 1 runs today.`);
  process.exit(2);
}
const devices = Number(values.devices);
const maxConnections = Number(values['max-connections'] ?? devices);
const roundSizes = values['round-sizes'].split(',').map(Number);
const inFlight = Number(values['in-flight']);
const ADMIN_TOKEN = 'bench-fleet-scale-admin-token';
const load = () => loadavg().map((value) => fixed(value, 2)).join(', ');
const mib = (bytes: number) => bytes / 2 ** 20;

interface FleetResult {
  held: number;
  rampSeconds: number;
  helloP50: number;
  helloP99: number;
  failures: Record<string, number>;
  rssBefore: number;
  rssHeld: number;
  probes: number;
  refusals: Record<string, number>;
  healthz: { status: number; ms: number };
  idleCorePercent: number[];
  devicesCorePercent: number;
  dropped: number;
  rounds: RoundResult[];
}

async function healthz(url: string): Promise<{ status: number; ms: number; clientsConnected: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/healthz`);
  const body = (await response.json()) as { clientsConnected: number };
  return { status: response.status, ms: performance.now() - started, clientsConnected: body.clientsConnected };
}

async function drained(url: string): Promise<void> {
  for (let wait = 0; wait < 120 && (await healthz(url)).clientsConnected > 0; wait++) await sleep(500);
}

async function measureNode(): Promise<FleetResult> {
  const coordinator = BenchChild.start(new URL('./fleet-scale-coordinator.ts', import.meta.url), 'coordinator');
  const processes = Math.ceil(Math.max(devices, ...roundSizes) / Number(values['per-process']));
  const fleet = Array.from({ length: processes }, (_, part) => BenchChild.start(new URL('./fleet-scale-devices.ts', import.meta.url), `devices-${part}`));
  try {
    const { url, logFile } = await coordinator.request<{ url: string; logFile: string }>('start', { adminToken: ADMIN_TOKEN, maxConnections });
    const limits = openFileLimits(coordinator.pid);
    console.log(`coordinator pid ${coordinator.pid} at ${url} (log ${logFile}); open files soft ${limits.soft}, hard ${limits.hard}; --max-connections ${maxConnections}; ${processes} device processes`);
    if (maxConnections * 1.01 + 256 > limits.soft) console.log(`warning: ${maxConnections} connections plus the transport headroom come close to the coordinator's ${limits.soft} descriptors: expect EMFILE at the wall`);

    // 1. Connections, ramped from every device process at once.
    // Start-up garbage is given back after a few idle seconds; the baseline is the empty coordinator after that.
    await sleep(8_000);
    const rssBefore = rssBytes(coordinator.pid);
    const ramp = await Promise.all(fleet.map((child, part) => child.request<{ latencies: number[]; failures: Record<string, number>; seconds: number }>('connect', { url, count: share(devices, processes, part), inFlight, prefix: `idle-p${part}` })));
    const latencies = ramp.flatMap((part) => part.latencies);
    const failures: Record<string, number> = {};
    for (const [code, n] of ramp.flatMap((part) => Object.entries(part.failures))) failures[code] = (failures[code] ?? 0) + n;
    const held = (await healthz(url)).clientsConnected;
    console.log(`held ${held} after ${fixed(Math.max(...ramp.map((part) => part.seconds)))} s; failures ${JSON.stringify(failures)}; load ${load()}`);

    // Past the cap: each probe is refused (CAPACITY_EXCEEDED) or, if there was room, held for an instant.
    const beyond = Number(values.beyond);
    const probes = await Promise.all(fleet.map((child, part) => child.request<{ latencies: number[]; failures: Record<string, number> }>('probe', { url, count: share(beyond, processes, part), inFlight: 4, prefix: `probe-p${part}` })));
    const refusals: Record<string, number> = {};
    for (const [code, n] of probes.flatMap((part) => Object.entries(part.failures))) refusals[code] = (refusals[code] ?? 0) + n;
    const probeHeld = probes.reduce((sum, part) => sum + part.latencies.length, 0);
    if (probeHeld > 0) refusals['(admitted)'] = probeHeld;
    const atCap = await healthz(url);

    // 2. Idle: every device connected and heartbeating; the coordinator's CPU time over fixed windows.
    await sleep(10_000);
    const idleCorePercent: number[] = [];
    let devicesCpu = 0;
    let idleWall = 0;
    for (let run = 0; run < Number(values['idle-runs']); run++) {
      const cpu = cpuSeconds(coordinator.pid);
      const fleetCpu = fleet.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);
      const started = performance.now();
      await sleep(Number(values['idle-seconds']) * 1000);
      const seconds = (performance.now() - started) / 1000;
      idleCorePercent.push((((cpuSeconds(coordinator.pid) - cpu) / seconds) * 100 * 10_000) / held);
      devicesCpu += fleet.reduce((sum, child) => sum + cpuSeconds(child.pid), 0) - fleetCpu;
      idleWall += seconds;
    }
    const rssHeld = rssBytes(coordinator.pid);
    const stillHeld = (await healthz(url)).clientsConnected;
    const parted = await Promise.all(fleet.map((child) => child.request<{ dropped: number }>('disconnect')));
    const dropped = parted.reduce((sum, part) => sum + part.dropped, 0);
    console.log(`idle: ${idleCorePercent.map((value) => fixed(value)).join(', ')} % of a core per 10,000; still held ${stillHeld}, dropped ${dropped}; load ${load()}`);
    await drained(url);

    // 3 and 4. Rounds over exactly N connected clients, then loopback for the same bytes.
    const rounds: RoundResult[] = [];
    for (const clients of roundSizes) {
      const result = await measureRounds({ url, adminToken: ADMIN_TOKEN, coordinator, devices: fleet, clients, rounds: Number(values.rounds), inFlight, uploadCodec: values['upload-codec'], downloadCodec: values['download-codec'] });
      console.log(`${clients} clients: ${fixed(result.wallSeconds, 2)} s per round, ${fixed(result.updatesPerSecond)} updates/s, problems ${JSON.stringify(result.problems)}; load ${load()}`);
      rounds.push(result);
      await drained(url);
    }
    return {
      held, rampSeconds: Math.max(...ramp.map((part) => part.seconds)), helloP50: quantile(latencies, 0.5), helloP99: quantile(latencies, 0.99), failures,
      rssBefore, rssHeld, probes: beyond, refusals, healthz: atCap, idleCorePercent,
      devicesCorePercent: (devicesCpu / idleWall) * 100, dropped, rounds,
    };
  } finally {
    await Promise.all([coordinator.stop(), ...fleet.map((child) => child.stop())]);
  }
}

console.log(`bench:fleet-scale — ${devices.toLocaleString('en')} devices, rounds of ${roundSizes.join(' and ')} clients; ${cpus().length} cores; this process's open files: ${JSON.stringify(openFileLimits())}; load average before ${load()}`);
const columns = new Map<number, FleetResult>();
try {
  columns.set(nodes, await measureNode());
} finally {
  killChildren();
}
const column = (cell: (result: FleetResult) => string) => [...columns.values()].map(cell);
const perRound = (index: number, cell: (round: RoundResult) => string) => column((result) => cell(result.rounds[index]!));
const mbps = (bytesPerSecond: number) => fixed(bytesPerSecond / 1e6, 1);
const rows: string[][] = [
  ['devices held (target --devices, cap --max-connections)', ...column((r) => `${r.held.toLocaleString('en')} of ${devices.toLocaleString('en')} (cap ${maxConnections.toLocaleString('en')})`), '≥ 50,000 across nodes'],
  ['ramp (s), hello failures', ...column((r) => `${fixed(r.rampSeconds)} s, ${JSON.stringify(r.failures)}`), ''],
  ['coordinator RSS before → held (MiB)', ...column((r) => `${fixed(mib(r.rssBefore))} → ${fixed(mib(r.rssHeld))}`), ''],
  ['RSS per connection (KiB, growth / held)', ...column((r) => fixed((r.rssHeld - r.rssBefore) / r.held / 1024)), '≤ 30'],
  ['hello p50 / p99 (ms, connect → hello ack)', ...column((r) => `${fixed(r.helloP50)} / ${fixed(r.helloP99)}`), ''],
  [`refusals of ${values.beyond} connections past the cap`, ...column((r) => JSON.stringify(r.refusals)), 'CAPACITY_EXCEEDED'],
  ['/healthz at the cap', ...column((r) => `${r.healthz.status} in ${fixed(r.healthz.ms)} ms`), '200'],
  ['idle CPU per 10,000 devices (% of a core, median)', ...column((r) => `${fixed(median(r.idleCorePercent))} (${r.idleCorePercent.map((v) => fixed(v)).join(', ')})`), '≤ 20 (half of 40)'],
  ['device processes\' CPU while idle (% of a core)', ...column((r) => fixed(r.devicesCorePercent)), ''],
  ['devices dropped while idle', ...column((r) => String(r.dropped)), '0'],
];
roundSizes.forEach((clients, index) => {
  const label = `round of ${clients.toLocaleString('en')}`;
  rows.push(
    [`${label}: wall time (s)`, ...perRound(index, (round) => fixed(round.wallSeconds, 2)), ''],
    [`${label}: updates/s`, ...perRound(index, (round) => fixed(round.updatesPerSecond)), ''],
    [`${label}: coordinator CPU per update (ms)`, ...perRound(index, (round) => fixed(round.cpuMsPerUpdate, 2)), '÷5 with hierarchical aggregation'],
    [`${label}: updates accepted / downloads`, ...perRound(index, (round) => `${round.accepted} / ${round.downloads} over ${round.rounds} rounds`), ''],
    [`${label}: download bytes served (MiB)`, ...perRound(index, (round) => `${fixed(mib(round.downloadBytesServed))}; ${round.distinctEtagsPerRound} ETag per round; ${round.cacheControl.join(' ')}`), ''],
    [`${label}: upload MB/s (socket.io) / loopback MB/s`, ...perRound(index, (round) => `${mbps(round.uploadBytesPerSecond)} / ${mbps(round.loopbackBytesPerSecond)}`), ''],
    [`${label}: socket path / loopback`, ...perRound(index, (round) => fixed(round.uploadBytesPerSecond / round.loopbackBytesPerSecond, 3)), '≥ 0.5'],
  );
});
console.log(`\n${table(['measure', ...[...columns.keys()].map((n) => `${n} node${n === 1 ? '' : 's'}`), 'target'], rows)}`);
console.log(`\nupload codec ${values['upload-codec']} (${columns.get(nodes)!.rounds[0]?.uploadFrameBytes.toLocaleString('en')} B per update), download codec ${values['download-codec']}, the 2NN; medians over ${values.rounds} rounds per size and ${values['idle-runs']} idle windows of ${values['idle-seconds']} s; load average after ${load()}`);
process.exit(0);
