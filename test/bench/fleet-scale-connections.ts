/**
 * The connection part of `bench:fleet-scale` for one column: the devices ramped onto the nodes (each device process
 * connects to one node's port, the processes spread evenly over the nodes), refusals past each node's cap, then the
 * idle fleet's cost: the nodes' RSS growth per connection and their CPU per 10,000 devices, both summed over nodes.
 */
import { fixed } from './bench-support.js';
import { cpuSeconds, drained, fleetSeen, healthz, quantile, rssBytes, share, sleep, type BenchChild, type DeviceProcess } from './fleet-scale-support.js';

export interface ConnectionResult {
  /** Devices the device processes hold after the ramp, in all and per node. */
  held: number;
  heldPerNode: number[];
  /** The fleet as each node sees it (GET /api/v1/clients `online`). */
  seenPerNode: number[];
  rampSeconds: number;
  helloP50: number;
  helloP99: number;
  failures: Record<string, number>;
  /** Summed over nodes. */
  rssBefore: number;
  rssHeld: number;
  /** The same after a full garbage collection in every node (what the connections retain). */
  rssBeforeGc: number;
  rssHeldGc: number;
  refusals: Record<string, number>;
  /** The slowest node's /healthz at the cap, and whether every node answered 200. */
  healthz: { status: number; ms: number };
  idleCorePercent: number[];
  devicesCorePercent: number;
  dropped: number;
  dropReasons: Record<string, number>;
}

export interface ConnectionOptions {
  adminToken: string;
  nodes: BenchChild[];
  urls: string[];
  fleet: DeviceProcess[];
  devices: number;
  beyond: number;
  inFlight: number;
  idleRuns: number;
  idleSeconds: number;
  /** No device starts connecting after this long (a saturated machine would otherwise ramp for ever). */
  rampSeconds: number;
  load: () => string;
}

const sumOf = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0);

/** The nodes' RSS summed, each read right after a full garbage collection in it. */
async function collected(nodes: readonly BenchChild[]): Promise<number> {
  return sumOf(await Promise.all(nodes.map(async (node) => (await node.request<{ rss: number }>('gc')).rss)));
}

function merge(parts: readonly Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const [code, n] of parts.flatMap((part) => Object.entries(part))) merged[code] = (merged[code] ?? 0) + n;
  return merged;
}

export async function measureConnections(options: ConnectionOptions): Promise<ConnectionResult> {
  const { nodes, urls, fleet, devices, inFlight, load } = options;
  const processes = fleet.length;
  // 1. Connections, ramped from every device process at once. Start-up garbage is given back after a few idle
  // seconds; the baseline is the empty nodes after that.
  await sleep(8_000);
  const rssBefore = sumOf(nodes.map((node) => rssBytes(node.pid)));
  const rssBeforeGc = await collected(nodes);
  const deadlineAt = Date.now() + options.rampSeconds * 1000;
  const ramp = await Promise.all(
    fleet.map(({ child, node }, part) =>
      child.request<{ latencies: number[]; failures: Record<string, number>; seconds: number; held: number; notTried: number }>('connect', { url: urls[node], count: share(devices, processes, part), inFlight, prefix: `idle-p${part}`, deadlineAt }),
    ),
  );
  const latencies = ramp.flatMap((part) => part.latencies);
  const failures = merge(ramp.map((part) => part.failures));
  const notTried = sumOf(ramp.map((part) => part.notTried));
  if (notTried > 0) failures['(not tried: the ramp ran out of time)'] = notTried;
  const heldPerNode = urls.map((_, n) => sumOf(ramp.filter((_, part) => fleet[part]!.node === n).map((part) => part.held)));
  const held = sumOf(heldPerNode);
  // Presence reaches the other nodes over Redis: give it a moment before reading what each node sees.
  if (urls.length > 1) await sleep(3_000);
  const seenPerNode = await Promise.all(urls.map((url) => fleetSeen(url, options.adminToken)));
  const rampSeconds = Math.max(...ramp.map((part) => part.seconds));
  console.log(`held ${held} (${heldPerNode.join(' / ')} per node; the nodes see ${seenPerNode.join(' / ')}) after ${fixed(rampSeconds)} s; failures ${JSON.stringify(failures)}; load ${load()}`);

  // Past the caps: each probe is refused (CAPACITY_EXCEEDED) or, if there was room, held for an instant.
  const probes = await Promise.all(
    fleet.map(({ child, node }, part) => child.request<{ latencies: number[]; failures: Record<string, number> }>('probe', { url: urls[node], count: share(options.beyond, processes, part), inFlight: 4, prefix: `probe-p${part}` })),
  );
  const refusals = merge(probes.map((part) => part.failures));
  const probeHeld = sumOf(probes.map((part) => part.latencies.length));
  if (probeHeld > 0) refusals['(admitted)'] = probeHeld;
  const atCap = await Promise.all(urls.map((url) => healthz(url)));
  const slowest = atCap.reduce((worst, answer) => (answer.ms > worst.ms ? answer : worst));
  const status = atCap.every((answer) => answer.status === 200) ? 200 : (atCap.find((answer) => answer.status !== 200)?.status ?? 0);

  // 2. Idle: every device connected and heartbeating; the nodes' CPU time over fixed windows.
  await sleep(10_000);
  const idleCorePercent: number[] = [];
  let devicesCpu = 0;
  let idleWall = 0;
  const cpuOf = (children: readonly BenchChild[]) => sumOf(children.map((child) => cpuSeconds(child.pid)));
  const deviceChildren = fleet.map(({ child }) => child);
  for (let run = 0; run < options.idleRuns; run++) {
    const cpu = cpuOf(nodes);
    const fleetCpu = cpuOf(deviceChildren);
    const started = performance.now();
    await sleep(options.idleSeconds * 1000);
    const seconds = (performance.now() - started) / 1000;
    idleCorePercent.push((((cpuOf(nodes) - cpu) / seconds) * 100 * 10_000) / held);
    devicesCpu += cpuOf(deviceChildren) - fleetCpu;
    idleWall += seconds;
  }
  const rssHeld = sumOf(nodes.map((node) => rssBytes(node.pid)));
  const rssHeldGc = await collected(nodes);
  const stillSeen = await Promise.all(urls.map((url) => fleetSeen(url, options.adminToken)));
  const parted = await Promise.all(deviceChildren.map((child) => child.request<{ dropped: number; dropReasons: Record<string, number> }>('disconnect')));
  const dropped = sumOf(parted.map((part) => part.dropped));
  const dropReasons = merge(parted.map((part) => part.dropReasons));
  console.log(
    `idle: ${idleCorePercent.map((value) => fixed(value)).join(', ')} % of a core per 10,000 (all nodes); RSS ${fixed(rssBefore / 2 ** 20)} → ${fixed(rssHeld / 2 ** 20)} MiB (${fixed((rssHeld - rssBefore) / held / 1024)} KiB per connection; after a full GC ${fixed(rssBeforeGc / 2 ** 20)} → ${fixed(rssHeldGc / 2 ** 20)} MiB, ${fixed((rssHeldGc - rssBeforeGc) / held / 1024)} KiB); hello p50/p99 ${fixed(quantile(latencies, 0.5))} / ${fixed(quantile(latencies, 0.99))} ms; refusals ${JSON.stringify(refusals)}; the nodes still see ${stillSeen.join(' / ')}, dropped ${dropped} ${JSON.stringify(dropReasons)}; load ${load()}`,
  );
  await drained(urls, options.adminToken);
  return {
    held, heldPerNode, seenPerNode, rampSeconds, helloP50: quantile(latencies, 0.5), helloP99: quantile(latencies, 0.99), failures,
    rssBefore, rssHeld, rssBeforeGc, rssHeldGc, refusals, healthz: { status, ms: slowest.ms }, idleCorePercent,
    devicesCorePercent: (devicesCpu / idleWall) * 100, dropped, dropReasons,
  };
}
