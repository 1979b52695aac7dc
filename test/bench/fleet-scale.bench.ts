/**
 * `npm run bench:fleet-scale` (issue #15, "Measure"): one node against a cluster of several, in one run and one table
 * (a column per shape). Per shape: how many devices the nodes hold and what they cost (RSS per connection summed over
 * nodes, hello latency, refusals past the caps, idle CPU per 10,000 summed over nodes), then rounds of 1,000 and 5,000
 * lightweight clients (wall time, updates/s, the leader's CPU per update and the other nodes', download bytes, the
 * cluster counters that show whether the rounds were hierarchical), and the upload path's bytes/s against raw TCP
 * loopback (one column). Every coordinator node is a process of its own; the devices are raw socket.io clients over
 * several processes (each below its open-file limit), each process connected straight to one node's port (no nginx:
 * the processes are spread evenly over the nodes). One node runs on SQLite, a cluster on a throwaway PostgreSQL and
 * Redis the bench starts and stops; with `--single-postgres rounds` (the default) one node also runs the rounds on
 * PostgreSQL, to tell the store's share of the CPU per update from the aggregation's.
 *
 *   npm run bench:fleet-scale -- [--nodes 1,3] [--devices 18000,51000] [--max-connections N,N] [--beyond 200] [--ramp-seconds 600]
 *     [--rounds 3] [--round-deadline-ms 300000] [--round-sizes 1000,5000] [--single-postgres rounds|full|off] [--dedicated-leader on|off] [--per-process 8000] [--lease-ttl-ms N]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fixed } from './bench-support.js';
import { measureConnections } from './fleet-scale-connections.js';
import { startNodes, type StoreKind } from './fleet-scale-nodes.js';
import { measureRounds } from './fleet-scale-rounds.js';
import { BenchChild, drained, killChildren, openFileLimits, type DeviceProcess } from './fleet-scale-support.js';
import { fleetScaleTable, type ColumnResult } from './fleet-scale-table.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1,3' },
    devices: { type: 'string' },
    'max-connections': { type: 'string' },
    beyond: { type: 'string', default: '200' },
    'per-process': { type: 'string', default: '8000' },
    'in-flight': { type: 'string', default: '32' },
    'idle-seconds': { type: 'string', default: '30' },
    'idle-runs': { type: 'string', default: '3' },
    'ramp-seconds': { type: 'string', default: '600' },
    rounds: { type: 'string', default: '3' },
    'round-deadline-ms': { type: 'string', default: '300000' },
    'round-sizes': { type: 'string', default: '1000,5000' },
    'upload-codec': { type: 'string', default: 'int8' },
    'download-codec': { type: 'string', default: 'float32' },
    'single-postgres': { type: 'string', default: 'rounds' },
    // A cluster's rounds once more with no devices on node 1, which leads them (what a leader's own work per update is).
    'dedicated-leader': { type: 'string', default: 'on' },
    // Unset: the coordinator's own default.
    'lease-ttl-ms': { type: 'string' },
  },
});
const fail = (message: string): never => {
  console.error(`bench:fleet-scale: ${message}`);
  process.exit(2);
};
const list = (text: string) => text.split(',').map((entry) => Number(entry.trim()));
const nodeCounts = list(values.nodes);
if (nodeCounts.some((n) => !Number.isInteger(n) || n < 1)) fail(`--nodes ${values.nodes}: node counts must be integers >= 1`);
/** One value per node count, or one value for all of them. */
const perCount = (name: string, text: string | undefined, fallback: (nodes: number) => number): number[] => {
  if (text === undefined) return nodeCounts.map(fallback);
  const given = list(text);
  if (given.some((n) => !Number.isInteger(n) || n < 1)) fail(`--${name} ${text}: values must be integers >= 1`);
  if (given.length !== 1 && given.length !== nodeCounts.length) fail(`--${name} ${text}: give one value per node count (--nodes ${values.nodes}) or one for all`);
  return nodeCounts.map((_, index) => given[given.length === 1 ? 0 : index]!);
};
// 18,000 on one node as before; 17,000 per node on a cluster (51,000 on three).
const devicesFor = perCount('devices', values.devices, (nodes) => (nodes === 1 ? 18_000 : 17_000 * nodes));
const roundSizes = list(values['round-sizes']);
// Per node: its share of the devices, or of the largest round if that is more.
const capsFor = perCount('max-connections', values['max-connections'], (nodes) => Math.ceil(Math.max(devicesFor[nodeCounts.indexOf(nodes)]!, ...roundSizes) / nodes));
const singlePostgres = values['single-postgres'];
if (!['rounds', 'full', 'off'].includes(singlePostgres)) fail(`--single-postgres ${singlePostgres}: one of rounds, full, off`);
const perProcess = Number(values['per-process']);
const inFlight = Number(values['in-flight']);
const ADMIN_TOKEN = 'bench-fleet-scale-admin-token';
const load = () => loadavg().map((value) => fixed(value, 2)).join(', ');

interface Shape {
  label: string;
  nodes: number;
  store: StoreKind;
  devices: number;
  maxConnections: number;
  /** Whether to hold the idle fleet (else only the rounds run). */
  connections: boolean;
  loopback: boolean;
  /** Whether devices connect to node 1 (the leader) too; else only to the other nodes. */
  leaderDevices: boolean;
}

const shapes: Shape[] = [];
nodeCounts.forEach((nodes, index) => {
  const common = { nodes, devices: devicesFor[index]!, maxConnections: capsFor[index]! };
  if (nodes > 1) {
    shapes.push({ ...common, label: `${nodes} nodes (PostgreSQL + Redis)`, store: 'postgres', connections: true, loopback: false, leaderDevices: true });
    // Its devices are on one node fewer: each of those holds a larger share of the largest round.
    const dedicated = { ...common, maxConnections: Math.max(common.maxConnections, Math.ceil(Math.max(...roundSizes) / (nodes - 1))) };
    if (values['dedicated-leader'] !== 'off') shapes.push({ ...dedicated, label: `${nodes} nodes, leader without devices (rounds only)`, store: 'postgres', connections: false, loopback: false, leaderDevices: false });
    return;
  }
  shapes.push({ ...common, label: '1 node (SQLite)', store: 'sqlite', connections: true, loopback: true, leaderDevices: true });
  if (singlePostgres !== 'off') shapes.push({ ...common, label: `1 node (PostgreSQL${singlePostgres === 'rounds' ? ', rounds only' : ''})`, store: 'postgres', connections: singlePostgres === 'full', loopback: false, leaderDevices: true });
});
// The loopback baseline is taken once, in the first column.
if (!shapes.some((shape) => shape.loopback) && shapes[0] !== undefined) shapes[0].loopback = true;

async function measureShape(shape: Shape): Promise<ColumnResult> {
  const column: ColumnResult = { label: shape.label, nodes: shape.nodes, devices: shape.devices, maxConnections: shape.maxConnections, connections: undefined, rounds: [], error: undefined };
  console.log(`\n== ${shape.label}: ${shape.connections ? `${shape.devices.toLocaleString('en')} devices, ` : ''}rounds of ${roundSizes.join(' and ')} clients; load ${load()}`);
  const stopped = (error: unknown) => {
    column.error = error instanceof Error ? error.message : String(error);
    console.error(`${shape.label} stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };
  const set = await startNodes({ count: shape.nodes, store: shape.store, adminToken: ADMIN_TOKEN, maxConnections: shape.maxConnections, leaseTtlMs: values['lease-ttl-ms'] === undefined ? undefined : Number(values['lease-ttl-ms']) }).catch(stopped);
  if (set === undefined) return column;
  // As many device processes per serving node as its share of the devices (or of the largest round) needs; process p
  // connects to serving node p mod N (every node, or all but node 1 when the leader holds no devices).
  const serving = shape.leaderDevices ? shape.nodes : shape.nodes - 1;
  const firstServing = shape.nodes - serving;
  const perNodeNeed = Math.max(shape.connections ? Math.ceil(shape.devices / serving) : 0, Math.ceil(Math.max(...roundSizes) / serving));
  const processes = serving * Math.ceil(perNodeNeed / perProcess);
  const fleet: DeviceProcess[] = Array.from({ length: processes }, (_, part) => ({ child: BenchChild.start(new URL('./fleet-scale-devices.ts', import.meta.url), `devices-${part}`), node: firstServing + (part % serving) }));
  console.log(`${set.backend}; ${processes} device processes of at most ${Math.ceil(perNodeNeed / Math.ceil(perNodeNeed / perProcess)).toLocaleString('en')} devices, each connected straight to ${shape.leaderDevices ? "one node's port" : "the port of a node other than node 1"} (no nginx in front)`);
  try {
    if (shape.connections) {
      column.connections = await measureConnections({
        adminToken: ADMIN_TOKEN, nodes: set.nodes, urls: set.urls, fleet, devices: shape.devices, beyond: Number(values.beyond), inFlight,
        idleRuns: Number(values['idle-runs']), idleSeconds: Number(values['idle-seconds']), rampSeconds: Number(values['ramp-seconds']), load,
      });
    }
    for (const clients of roundSizes) {
      const result = await measureRounds({
        nodes: set.nodes, urls: set.urls, adminToken: ADMIN_TOKEN, fleet, clients, rounds: Number(values.rounds), inFlight,
        uploadCodec: values['upload-codec'], downloadCodec: values['download-codec'], roundDeadlineMs: Number(values['round-deadline-ms']), loopback: shape.loopback,
      });
      const cluster = shape.nodes === 1 ? '' : `; summed ${result.summed.join('/')}, forwarded ${result.forwarded.join('/')}, merged ${result.merged.join('/')}`;
      console.log(`${clients} clients: ${fixed(result.wallSeconds, 2)} s per round, ${fixed(result.updatesPerSecond)} updates/s, leader ${fixed(result.leaderCpuMsPerUpdate, 2)} ms CPU per update${shape.nodes === 1 ? '' : `, the others ${fixed(result.othersCpuMsPerUpdate, 2)}`}${cluster}, problems ${JSON.stringify(result.problems)}; load ${load()}`);
      column.rounds.push(result);
      await drained(set.urls, ADMIN_TOKEN);
    }
  } catch (error) {
    stopped(error);
  } finally {
    await Promise.all(fleet.map(({ child }) => child.stop()));
    await set.stop();
  }
  return column;
}

console.log(`bench:fleet-scale — ${shapes.map((shape) => shape.label).join(', ')}; rounds of ${roundSizes.join(' and ')} clients; ${cpus().length} cores; this process's open files: ${JSON.stringify(openFileLimits())}; load average before ${load()}`);
const columns: ColumnResult[] = [];
try {
  for (const shape of shapes) {
    columns.push(await measureShape(shape));
    // The columns so far, in case a later one does not finish.
    if (columns.length < shapes.length) console.log(`\n${fleetScaleTable(columns, roundSizes, Number(values.beyond))}`);
  }
} finally {
  killChildren();
}
console.log(`\n${fleetScaleTable(columns, roundSizes, Number(values.beyond))}`);
const frame = columns.find((column) => column.rounds[0] !== undefined)?.rounds[0]?.uploadFrameBytes;
console.log(
  `\nupload codec ${values['upload-codec']} (${frame?.toLocaleString('en') ?? '?'} B per update), download codec ${values['download-codec']}, the 2NN; medians over ${values.rounds} rounds per size and ${values['idle-runs']} idle windows of ${values['idle-seconds']} s; devices connect straight to the nodes' ports (no nginx); load average after ${load()}`,
);
process.exit(columns.some((column) => column.error !== undefined) ? 1 : 0);
