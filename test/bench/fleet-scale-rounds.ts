/**
 * The round part of `bench:fleet-scale`: one job of `rounds` rounds over exactly `clients` connected devices (the
 * 2NN, pre-computed uploads), created by REST on node 1 (so node 1 leads it) with the clients spread over every node,
 * timed and CPU-metered by the leader's own round events (every node's CPU read from /proc as each event arrives; a
 * round that moved to another node, or failed, is counted, not measured), the cluster counters of every node over
 * the job, and, where asked, the raw TCP loopback bandwidth for the same bytes measured right after it.
 */
import { createServer, type AddressInfo } from 'node:net';
import { median } from './bench-support.js';
import { cpuSeconds, fleetSeen, metric, share, sleep, type BenchChild, type DeviceProcess, type RoundTally } from './fleet-scale-support.js';

export interface RoundOptions {
  /** Node 1 first: the job is created there, so it leads. */
  nodes: BenchChild[];
  urls: string[];
  adminToken: string;
  fleet: DeviceProcess[];
  clients: number;
  rounds: number;
  inFlight: number;
  uploadCodec: string;
  downloadCodec: string;
  roundDeadlineMs: number;
  /** Whether to measure the loopback baseline after the job. */
  loopback: boolean;
}

export interface RoundResult {
  clients: number;
  rounds: number;
  /** Medians over the job's rounds. */
  wallSeconds: number;
  updatesPerSecond: number;
  /** The leader's CPU over the round / the round's accepted updates. */
  leaderCpuMsPerUpdate: number;
  /** The other nodes' CPU (summed) over the round / the round's accepted updates; NaN with one node. */
  othersCpuMsPerUpdate: number;
  uploadBytesPerSecond: number;
  /** Totals over the job. */
  accepted: number;
  downloads: number;
  /** shoal_model_bytes_sent_total of the leader (the other nodes report the bytes they serve for its tasks to it). */
  downloadBytesServed: number;
  /** What the devices received. */
  downloadBytesReceived: number;
  distinctEtagsPerRound: number;
  cacheControl: string[];
  uploadFrameBytes: number;
  problems: Record<string, number>;
  /** NaN when not measured. */
  loopbackBytesPerSecond: number;
  /** Per node, over the job: shoal_cluster_uploads_total by path, and shoal_partial_sums_merged_total. */
  summed: number[];
  forwarded: number[];
  merged: number[];
}

interface RoundEvent {
  notice: 'round';
  phase: 'started' | 'finished';
  jobId: string;
  round: number;
  status?: string;
  at: number;
  cpuMicros: number;
  /** Added here as the event arrives: the node that sent it, and every node's CPU seconds then. */
  node: number;
  cpuByNode: number[];
}

/** Every node's cluster counters, in node order. */
async function clusterCounters(urls: readonly string[]): Promise<{ summed: number[]; forwarded: number[]; merged: number[] }> {
  const read = (name: string, label?: string) => Promise.all(urls.map((url) => metric(url, name, label)));
  const [summed, forwarded, merged] = await Promise.all([
    read('shoal_cluster_uploads_total', 'path="summed"'),
    read('shoal_cluster_uploads_total', 'path="forwarded"'),
    read('shoal_partial_sums_merged_total'),
  ]);
  return { summed, forwarded, merged };
}

const minus = (after: readonly number[], before: readonly number[]) => after.map((value, n) => value - before[n]!);

/** Bytes/s of `bytes` pushed over one loopback TCP connection from a device process to this one, first byte to last. */
export async function loopbackBytesPerSecond(sender: BenchChild, bytes: number, chunkBytes: number): Promise<number> {
  let done!: (seconds: number) => void;
  const measured = new Promise<number>((resolve) => (done = resolve));
  const server = createServer((socket) => {
    let first: number | undefined;
    let received = 0;
    socket.on('data', (chunk) => {
      first ??= performance.now();
      received += chunk.byteLength;
    });
    socket.on('end', () => {
      done(received === bytes ? (performance.now() - first!) / 1000 : Number.NaN);
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await sender.request('push', { host: '127.0.0.1', port, bytes, chunkBytes });
  const seconds = await measured;
  server.close();
  return bytes / seconds;
}

export async function measureRounds(options: RoundOptions): Promise<RoundResult> {
  const { nodes, urls, adminToken, fleet, clients, rounds } = options;
  const devices = fleet.map(({ child }) => child);
  await Promise.all(fleet.map(({ child, node }, part) => child.request('connect', { url: urls[node], count: share(clients, fleet.length, part), inFlight: options.inFlight, prefix: `round${clients}-p${part}` })));
  // The leader selects from the fleet as it sees it: wait for the other nodes' presence to reach it.
  for (let wait = 0; wait < 240 && (await fleetSeen(urls[0]!, adminToken)) < clients; wait++) await sleep(500);
  const bytesDownBefore = await metric(urls[0]!, 'shoal_model_bytes_sent_total');
  const countersBefore = await clusterCounters(urls);

  // Every node's round events: the job starts on node 1, but another node takes it over if node 1 loses its lease.
  const events: RoundEvent[] = [];
  nodes.forEach((node, index) => {
    node.onNotice = (message) => {
      if (message['notice'] !== 'round') return;
      events.push({ ...(message as unknown as RoundEvent), node: index, cpuByNode: nodes.map((each) => cpuSeconds(each.pid)) });
    };
  });
  const response = await fetch(`${urls[0]}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `fleet-scale ${clients}`, model: { preset: 'mnist-2nn' }, rounds, minFitClients: clients, maxFitClients: clients, fractionFit: 1,
      roundDeadlineMs: options.roundDeadlineMs, uploadCodec: { id: options.uploadCodec }, downloadCodec: { id: options.downloadCodec },
    }),
  });
  if (!response.ok) throw new Error(`POST /api/v1/jobs answered ${response.status}: ${await response.text()}`);
  const jobId = ((await response.json()) as { id: string }).id;
  // Until the job ends, wherever it runs; a node that dies stops the column.
  const ended = (async () => {
    for (;;) {
      await sleep(1_000);
      const job = (await (await fetch(`${urls[0]}/api/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { status: string };
      if (!['pending', 'running', 'paused'].includes(job.status)) return job.status;
    }
  })();
  const status = await Promise.race([ended, ...nodes.map((node) => node.exited.then((how) => Promise.reject(new Error(`${how} during the job of ${clients} clients`))))]);
  const bytesDownServed = (await metric(urls[0]!, 'shoal_model_bytes_sent_total')) - bytesDownBefore;
  const countersAfter = await clusterCounters(urls);

  const tallies = (await Promise.all(devices.map((child) => child.request<Record<string, RoundTally>>('rounds')))).flatMap((byRound) => Object.entries(byRound));
  const mineOf = events.filter((event) => event.jobId === jobId);
  const roundNumbers = [...new Set(mineOf.map((event) => event.round))].sort((a, b) => a - b);
  const problems: Record<string, number> = {};
  const leaders = new Set<number>();
  const perRound = roundNumbers.flatMap((round) => {
    const started = mineOf.find((event) => event.round === round && event.phase === 'started');
    const ended = mineOf.find((event) => event.round === round && event.phase === 'finished');
    // Only a round one node ran from start to end, and completed, is measured; the others are counted.
    if (started === undefined || ended === undefined || ended.node !== started.node || ended.status !== 'completed') {
      const what = `(round ${round}: ${ended === undefined ? 'never finished on a node that started it' : ended.node !== started?.node ? `moved to node ${ended.node + 1}` : ended.status})`;
      problems[what] = (problems[what] ?? 0) + 1;
      return [];
    }
    leaders.add(started.node);
    const mine = tallies.filter(([key]) => key === `${jobId}/${round}`).map(([, tally]) => tally);
    const total = (field: 'tasks' | 'accepted' | 'uploadBytes' | 'uploads' | 'downloads' | 'downloadBytes') => mine.reduce((sum, tally) => sum + tally[field], 0);
    const firstUpload = Math.min(...mine.map((tally) => tally.firstUploadAt ?? Number.POSITIVE_INFINITY));
    const lastAck = Math.max(...mine.map((tally) => tally.lastAckAt));
    const othersCpuSeconds = nodes.reduce((sum, _, n) => (n === started.node ? sum : sum + ended.cpuByNode[n]! - started.cpuByNode[n]!), 0);
    return [{
      wallSeconds: (ended.at - started.at) / 1000,
      tasks: total('tasks'), accepted: total('accepted'), uploadBytes: total('uploadBytes'), uploads: total('uploads'), downloads: total('downloads'), downloadBytes: total('downloadBytes'),
      cpuSeconds: (ended.cpuMicros - started.cpuMicros) / 1e6,
      othersCpuSeconds,
      uploadSeconds: (lastAck - firstUpload) / 1000,
      etags: new Set(mine.flatMap((tally) => tally.etags)).size,
      cacheControl: [...new Set(mine.flatMap((tally) => tally.cacheControl))],
      problems: mine.flatMap((tally) => Object.entries(tally.problems)),
    }];
  });
  if (status !== 'completed') problems[`(job ${status})`] = 1;
  if ([...leaders].some((node) => node !== 0)) problems[`(led by node ${[...leaders].map((node) => node + 1).join(', ')})`] = 1;
  await Promise.all(devices.map((child) => child.request('disconnect')));

  const uploadFrameBytes = (perRound[0]?.uploadBytes ?? 0) / Math.max(1, perRound[0]?.uploads ?? 0);
  const roundBytes = Math.round(uploadFrameBytes) * clients;
  const loopback: number[] = [];
  for (let run = 0; options.loopback && roundBytes > 0 && run < 3; run++) loopback.push(await loopbackBytesPerSecond(devices[0]!, roundBytes, Math.round(uploadFrameBytes)));
  for (const [code, n] of perRound.flatMap((round) => round.problems)) problems[code] = (problems[code] ?? 0) + n;
  // A task that never reached a device is a problem too (its round waits for the deadline).
  const undelivered = perRound.reduce((sum, round) => sum + Math.max(0, clients - round.tasks), 0);
  if (undelivered > 0) problems['(task not received)'] = undelivered;
  const perUpdate = (seconds: number, accepted: number) => (seconds * 1000) / Math.max(1, accepted);
  return {
    clients, rounds,
    wallSeconds: median(perRound.map((round) => round.wallSeconds)),
    updatesPerSecond: median(perRound.map((round) => round.accepted / round.wallSeconds)),
    leaderCpuMsPerUpdate: median(perRound.map((round) => perUpdate(round.cpuSeconds, round.accepted))),
    othersCpuMsPerUpdate: nodes.length === 1 ? Number.NaN : median(perRound.map((round) => perUpdate(round.othersCpuSeconds, round.accepted))),
    uploadBytesPerSecond: median(perRound.map((round) => round.uploadBytes / round.uploadSeconds)),
    accepted: perRound.reduce((sum, round) => sum + round.accepted, 0),
    downloads: perRound.reduce((sum, round) => sum + round.downloads, 0),
    downloadBytesServed: bytesDownServed,
    downloadBytesReceived: perRound.reduce((sum, round) => sum + round.downloadBytes, 0),
    distinctEtagsPerRound: Math.max(...perRound.map((round) => round.etags)),
    cacheControl: [...new Set(perRound.flatMap((round) => round.cacheControl))],
    uploadFrameBytes,
    problems,
    loopbackBytesPerSecond: loopback.length === 0 ? Number.NaN : median(loopback),
    summed: minus(countersAfter.summed, countersBefore.summed),
    forwarded: minus(countersAfter.forwarded, countersBefore.forwarded),
    merged: minus(countersAfter.merged, countersBefore.merged),
  };
}
