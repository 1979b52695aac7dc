/**
 * `npm run bench:downloads`: weights downloads of the 2NN from a real coordinator over HTTP (keep-alive, 16 in
 * flight), in the float32 and int8 download codecs, served from the frame cache against `downloadCacheBytes: 0`
 * (every request reads the version from SQLite and builds its frame, as float32 did before issue #15). Prints the
 * median of RUNS runs of DOWNLOADS requests each, requests/s, the ratio, and the load average.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { fixed, median, table } from './bench-support.js';

const DOWNLOADS = Number(process.env['BENCH_DOWNLOADS'] ?? 400);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const IN_FLIGHT = 16;
const TOKEN = 'bench-downloads-token';

/** Milliseconds for DOWNLOADS GETs of `path`, IN_FLIGHT at a time; throws on anything but 200 with `bytes` bytes. */
async function downloadAll(url: string, path: string, bytes: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const call = request(`${url}${path}`, { agent, headers: { authorization: `Bearer ${TOKEN}` } }, (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => (received += chunk.byteLength));
        response.on('end', () => (response.statusCode === 200 && received === bytes ? resolve() : reject(new Error(`GET ${path}: ${response.statusCode}, ${received} bytes`))));
      });
      call.on('error', reject);
      call.end();
    });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next++ < DOWNLOADS) await one();
  }));
  const elapsed = performance.now() - started;
  agent.destroy();
  return elapsed;
}

async function measure(downloadCacheBytes: number | undefined): Promise<Map<string, { ms: number; bytes: number }>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-bench-downloads-'));
  const coordinator = new Coordinator({ port: 0, dataDir, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN, downloadCacheBytes });
  const results = new Map<string, { ms: number; bytes: number }>();
  try {
    const { url } = await coordinator.start();
    for (const codec of ['float32', 'int8'] as const) {
      // No client connects, so the job waits before its first round and version 0 is what every request asks for.
      const job = await coordinator.jobs.create({ name: `bench-${codec}`, model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 1_000, downloadCodec: { id: codec } });
      const path = `/api/v1/jobs/${job.id}/models/0/weights`;
      const bytes = (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer()).byteLength;
      await downloadAll(url, path, bytes);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) times.push(await downloadAll(url, path, bytes));
      results.set(codec, { ms: median(times), bytes });
    }
  } finally {
    await coordinator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

const cached = await measure(undefined);
const uncached = await measure(0);
const perSecond = (ms: number) => (DOWNLOADS / ms) * 1000;
const rows = [...cached].map(([codec, hit]) => {
  const miss = uncached.get(codec)!;
  return [codec, fixed(hit.bytes / 1024, 0), fixed(perSecond(miss.ms), 0), fixed(perSecond(hit.ms), 0), `${fixed(miss.ms / hit.ms, 1)}×`, fixed((hit.bytes * perSecond(hit.ms)) / 2 ** 20, 0)];
});
console.log(`${DOWNLOADS} downloads of the 2NN's version 0 per run, ${IN_FLIGHT} in flight, median of ${RUNS} runs`);
console.log(table(['download codec', 'frame KiB', 'uncached req/s', 'cached req/s', 'ratio', 'cached MiB/s'], rows));
console.log(`load average ${loadavg().map((value) => fixed(value, 2)).join(' ')}`);
