/**
 * The round part of `bench:fleet-scale`: one job of `rounds` rounds over exactly `clients` connected devices (the
 * 2NN, pre-computed uploads), timed and CPU-metered by the coordinator's own round events, and the raw TCP loopback
 * bandwidth for the same bytes measured right after it.
 */
import { createServer, type AddressInfo } from 'node:net';
import { median } from './bench-support.js';
import type { BenchChild, RoundTally } from './fleet-scale-support.js';

export interface RoundOptions {
  url: string;
  adminToken: string;
  coordinator: BenchChild;
  devices: BenchChild[];
  clients: number;
  rounds: number;
  inFlight: number;
  uploadCodec: string;
  downloadCodec: string;
}

export interface RoundResult {
  clients: number;
  rounds: number;
  /** Medians over the job's rounds. */
  wallSeconds: number;
  updatesPerSecond: number;
  cpuMsPerUpdate: number;
  uploadBytesPerSecond: number;
  /** Totals over the job. */
  accepted: number;
  downloads: number;
  downloadBytesServed: number;
  distinctEtagsPerRound: number;
  cacheControl: string[];
  uploadFrameBytes: number;
  problems: Record<string, number>;
  loopbackBytesPerSecond: number;
}

interface RoundEvent {
  notice: 'round';
  phase: 'started' | 'finished';
  jobId: string;
  round: number;
  status?: string;
  at: number;
  cpuMicros: number;
}

/** Splits `total` over `parts` as evenly as integers allow. */
export const share = (total: number, parts: number, part: number) => Math.floor(total / parts) + (part < total % parts ? 1 : 0);

async function metric(url: string, adminToken: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

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
  const { url, adminToken, coordinator, devices, clients, rounds } = options;
  await Promise.all(devices.map((child, part) => child.request('connect', { url, count: share(clients, devices.length, part), inFlight: options.inFlight, prefix: `round${clients}-p${part}` })));
  const bytesDownBefore = await metric(url, adminToken, 'shoal_model_bytes_sent_total');

  const events: RoundEvent[] = [];
  let jobId: string | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  coordinator.onNotice = (message) => {
    const event = message as unknown as RoundEvent;
    if (event.notice !== 'round') return;
    events.push(event);
    if (event.phase === 'finished' && event.jobId === jobId && event.round === rounds) finish();
  };
  const response = await fetch(`${url}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `fleet-scale ${clients}`, model: { preset: 'mnist-2nn' }, rounds, minFitClients: clients, maxFitClients: clients, fractionFit: 1,
      roundDeadlineMs: 600_000, uploadCodec: { id: options.uploadCodec }, downloadCodec: { id: options.downloadCodec },
    }),
  });
  if (!response.ok) throw new Error(`POST /api/v1/jobs answered ${response.status}: ${await response.text()}`);
  jobId = ((await response.json()) as { id: string }).id;
  if (events.some((event) => event.phase === 'finished' && event.jobId === jobId && event.round === rounds)) finish();
  await finished;
  const bytesDownServed = (await metric(url, adminToken, 'shoal_model_bytes_sent_total')) - bytesDownBefore;

  const tallies = (await Promise.all(devices.map((child) => child.request<Record<string, RoundTally>>('rounds')))).flatMap((byRound) => Object.entries(byRound));
  const perRound = Array.from({ length: rounds }, (_, r) => {
    const round = r + 1;
    const at = (phase: string) => events.find((event) => event.jobId === jobId && event.round === round && event.phase === phase)!;
    const started = at('started');
    const ended = at('finished');
    const mine = tallies.filter(([key]) => key === `${jobId}/${round}`).map(([, tally]) => tally);
    const accepted = mine.reduce((sum, tally) => sum + tally.accepted, 0);
    const uploadBytes = mine.reduce((sum, tally) => sum + tally.uploadBytes, 0);
    const firstUpload = Math.min(...mine.map((tally) => tally.firstUploadAt ?? Number.POSITIVE_INFINITY));
    const lastAck = Math.max(...mine.map((tally) => tally.lastAckAt));
    const wallSeconds = (ended.at - started.at) / 1000;
    return {
      wallSeconds, accepted, uploadBytes,
      uploads: mine.reduce((sum, tally) => sum + tally.uploads, 0),
      cpuSeconds: (ended.cpuMicros - started.cpuMicros) / 1e6,
      uploadSeconds: (lastAck - firstUpload) / 1000,
      downloads: mine.reduce((sum, tally) => sum + tally.downloads, 0),
      etags: new Set(mine.flatMap((tally) => tally.etags)).size,
      cacheControl: [...new Set(mine.flatMap((tally) => tally.cacheControl))],
      problems: mine.flatMap((tally) => Object.entries(tally.problems)),
    };
  });
  await Promise.all(devices.map((child) => child.request('disconnect')));

  const uploadFrameBytes = perRound[0]!.uploadBytes / Math.max(1, perRound[0]!.uploads);
  const roundBytes = Math.round(uploadFrameBytes) * clients;
  const loopback: number[] = [];
  for (let run = 0; run < 3; run++) loopback.push(await loopbackBytesPerSecond(devices[0]!, roundBytes, Math.round(uploadFrameBytes)));
  const problems: Record<string, number> = {};
  for (const [code, n] of perRound.flatMap((round) => round.problems)) problems[code] = (problems[code] ?? 0) + n;
  return {
    clients, rounds,
    wallSeconds: median(perRound.map((round) => round.wallSeconds)),
    updatesPerSecond: median(perRound.map((round) => round.accepted / round.wallSeconds)),
    cpuMsPerUpdate: median(perRound.map((round) => (round.cpuSeconds * 1000) / Math.max(1, round.accepted))),
    uploadBytesPerSecond: median(perRound.map((round) => round.uploadBytes / round.uploadSeconds)),
    accepted: perRound.reduce((sum, round) => sum + round.accepted, 0),
    downloads: perRound.reduce((sum, round) => sum + round.downloads, 0),
    downloadBytesServed: bytesDownServed,
    distinctEtagsPerRound: Math.max(...perRound.map((round) => round.etags)),
    cacheControl: [...new Set(perRound.flatMap((round) => round.cacheControl))],
    uploadFrameBytes,
    problems,
    loopbackBytesPerSecond: median(loopback),
  };
}
