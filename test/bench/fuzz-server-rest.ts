/**
 * REST fuzz bench: runs the seeded REST fuzzer (test/fuzz/rest-fuzzer.ts) against a real in-process coordinator and
 * prints outcomes by status and code, every finding, the process RSS before and after, and the load average.
 *
 *   node --expose-gc --import tsx test/bench/fuzz-server-rest.ts [--requests 3000] [--seed 1] [--hang-guard-ms 240000]
 *
 * Exits 1 on any finding, or if the coordinator stops answering /healthz.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fuzzRest, violations, type RestFuzzReport } from '../fuzz/rest-fuzzer.js';
import { startFuzzTarget } from '../fuzz/rest-target.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, seed: { type: 'string', default: '1' }, 'hang-guard-ms': { type: 'string' } } });
const requests = Number(values.requests);
const seed = Number(values.seed);
if (!Number.isSafeInteger(requests) || requests < 1) throw new Error(`--requests must be a positive integer, got ${values.requests}`);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
const hangGuardMs = values['hang-guard-ms'] === undefined ? undefined : Number(values['hang-guard-ms']);
if (hangGuardMs !== undefined && !(hangGuardMs > 0)) throw new Error(`--hang-guard-ms must be a positive number, got ${values['hang-guard-ms']}`);

const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** RSS and V8 heap in use, after a collection when node runs with --expose-gc (so garbage is not counted as growth). */
function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}
const rows = (tally: Record<string, number>): string =>
  Object.entries(tally)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `| ${key} | ${value} |`)
    .join('\n');

function print(report: RestFuzzReport, before: { rss: number; heap: number }, after: { rss: number; heap: number }, seconds: number): void {
  console.log(`\n## REST fuzz: ${report.requests} requests, seed ${report.seed}, ${seconds.toFixed(1)} s`);
  console.log(`\n| status | requests |\n|---|---:|\n${rows(report.byStatus)}`);
  console.log(`\n| error code | requests |\n|---|---:|\n${rows(report.byCode)}`);
  console.log(`\n| finding | count |\n|---|---:|\n${rows(report.findingCounts)}`);
  for (const finding of report.findings) console.log(`- [${finding.kind}] #${finding.index} ${finding.request} (${finding.mutations.join(' + ') || 'no mutation'}): ${finding.detail}`);
  console.log(`\ncoordinator answers /healthz after the run: ${report.healthyAfter ? 'yes' : 'NO'}`);
  console.log(`process RSS (coordinator in process): ${mebibytes(before.rss)} before, ${mebibytes(after.rss)} after; V8 heap used ${mebibytes(before.heap)} before, ${mebibytes(after.heap)} after`);
  console.log(`load average (1, 5, 15 min): ${loadavg().map((load) => load.toFixed(2)).join(', ')}`);
}

const target = await startFuzzTarget();
let failed = true;
try {
  const before = memory();
  const started = performance.now();
  const report = await fuzzRest({ url: target.url, requests, seed, credentials: target.credentials, ids: target.ids, hangGuardMs });
  const seconds = (performance.now() - started) / 1000;
  print(report, before, memory(), seconds);
  failed = violations(report) > 0 || !report.healthyAfter;
} finally {
  await target.close();
}
process.exit(failed ? 1 : 0);
