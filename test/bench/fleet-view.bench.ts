/**
 * `npm run bench:fleet-view`: how fast the coordinator answers the console's fleet queries over 10,000 registered
 * clients (half connected, 1,000 with a contribution), against GET /healthz on the same server as the baseline.
 * Prints the median of 15 requests per query, its ratio to the baseline, and the load average.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { fixed, median, table } from './bench-support.js';

const CLIENTS = 10_000;
const RUNS = 15;
const TOKEN = 'bench-fleet-view-token';
const QUERIES = ['limit=50', 'limit=50&sort=-status&offset=5000', 'limit=50&q=09999', 'limit=50&status=offline&sort=-lastSeen', 'limit=50&sort=-contributions', 'limit=1000&sort=name'];

const dataDir = mkdtempSync(join(tmpdir(), 'shoal-bench-fleet-'));
const coordinator = new Coordinator({ port: 0, dataDir, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN });
try {
  const { url } = await coordinator.start();
  const id = (i: number) => `c-${String(i).padStart(5, '0')}`;
  const capabilities = (i: number) => ({ platform: i % 3 === 0 ? 'android-arm64' : 'linux-x64', backend: i % 2 === 0 ? 'wasm' : 'cpu', agentVersion: '0.1.0', numTrainExamples: 100, numEvalExamples: 0 });
  for (let i = 0; i < CLIENTS; i++) coordinator.store.upsertClient({ id: id(i), name: `client-${String(i).padStart(5, '0')}`, capabilities: capabilities(i), firstSeenAt: 1, lastSeenAt: 1 + i });
  for (let i = 0; i < CLIENTS; i += 2) {
    coordinator.registry.register({ id: id(i), name: `client-${i}`, capabilities: capabilities(i), connection: { send: () => undefined, disconnect: () => undefined }, connectedAt: 1, lastSeenAt: 1 });
  }
  const job = await coordinator.jobs.create({ name: 'bench', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 50_000 });
  const selected = Array.from({ length: 2000 }, (_, i) => id(i));
  coordinator.store.startRound({ jobId: job.id, round: 1, status: 'running', statusReason: undefined, startedAt: 1, endedAt: undefined, deadlineAt: 2, selected: selected.length, reported: 0, failed: 0, modelVersion: undefined, metrics: {} }, selected);
  for (const client of selected.slice(0, 1000)) coordinator.store.updateContribution(job.id, 1, client, { status: 'accepted', numExamples: 100, bytesUp: 10 });

  const headers = { authorization: `Bearer ${TOKEN}` };
  const timed = async (path: string) => {
    const samples: number[] = [];
    let bytes = 0;
    for (let run = 0; run <= RUNS; run++) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers });
      bytes = (await response.arrayBuffer()).byteLength;
      if (run > 0) samples.push(performance.now() - started); // the first request warms up
    }
    return { ms: median(samples), bytes };
  };

  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  const baseline = await timed('/healthz');
  const rows = [['GET /healthz (baseline)', fixed(baseline.ms, 2), '1.0×', String(baseline.bytes)]];
  for (const query of QUERIES) {
    const result = await timed(`/api/v1/clients?${query}`);
    rows.push([`GET /api/v1/clients?${query}`, fixed(result.ms, 2), `${fixed(result.ms / baseline.ms)}×`, String(result.bytes)]);
  }
  console.log(`\n${CLIENTS.toLocaleString('en')} registered clients, ${RUNS} requests per row (median)\n`);
  console.log(table(['request', 'median ms', 'vs /healthz', 'bytes'], rows));
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
} finally {
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
