/**
 * `npm run bench:fuzz-server`: the socket.io and REST fuzzers together against one real coordinator (in process) while
 * a job trains on enrolled devices. Prints answers by code and status, every finding (undocumented or INTERNAL codes,
 * 5xx, unanswered acknowledgements, dropped registered connections, authorisation violations), the coordinator's RSS
 * (a process of its own) before and after, whether /healthz still answers, and whether the job completed with all its
 * versions; the load average beside. Exits 1 on any finding.
 *
 *   node --expose-gc --import tsx test/bench/fuzz-server.bench.ts [--messages 20000] [--requests 3000] [--seed 1]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fuzzRest, violations } from '../fuzz/rest-fuzzer.js';
import { readFileSync } from 'node:fs';
import { startFuzzTargetProcess } from '../fuzz/rest-target.js';
import { fuzzSockets } from '../fuzz/socket-fuzzer.js';
import { startHonestFleet } from '../fuzz/honest-fleet.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' }, requests: { type: 'string', default: '3000' }, seed: { type: 'string', default: '1' }, rounds: { type: 'string', default: '20' } } });
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
/** The coordinator process's resident set (it runs on its own, so the fuzzers' memory is not counted). */
const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const table = (tally: Record<string, number>) => Object.entries(tally).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `| ${key} | ${value} |`).join('\n');

console.log(`bench:fuzz-server — ${values.messages} socket messages and ${values.requests} REST requests, seed ${values.seed}; load average ${load()}`);
const target = await startFuzzTargetProcess();
const pid = target.pid!;
const fleet = await startHonestFleet(target.url, target.credentials.admin, { rounds: Number(values.rounds) });
let exitCode = 0;
try {
  // Warm-up, so RSS is measured against a coordinator that has served each kind of message once.
  await Promise.all([fuzzSockets({ url: target.url, messages: 200, seed: 999 }), fuzzRest({ url: target.url, requests: 100, seed: 999, credentials: target.credentials, ids: target.ids })]);
  const before = rss(pid);
  const started = performance.now();
  const [sockets, rest] = await Promise.all([
    fuzzSockets({ url: target.url, messages: Number(values.messages), seed: Number(values.seed) }),
    fuzzRest({ url: target.url, requests: Number(values.requests), seed: Number(values.seed), credentials: target.credentials, ids: target.ids }),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const job = await fleet.finished();
  const healthz = (await fetch(`${target.url}/healthz`)).status;
  // V8 gives garbage back when the process has been idle for a while (its memory reducer), not at once: sample RSS
  // every 5 s for up to 2 minutes and stop as soon as it is back within 10% of where it started.
  const samples = [rss(pid)];
  while (samples.at(-1)! > before * 1.1 && samples.length <= 24) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    samples.push(rss(pid));
  }
  const after = samples.at(-1)!;

  console.log(`\n## socket.io: ${sockets.messages} messages in ${seconds.toFixed(1)} s\n\n| answer | messages |\n|---|---:|\n${table(sockets.byCode)}`);
  console.log(`\nconnections closed: ${sockets.closed.expected} expected (oversized before hello), ${sockets.closed.unexpected} unexpected`);
  console.log(`\n## REST: ${rest.requests} requests\n\n| status | requests |\n|---|---:|\n${table(rest.byStatus)}\n\n| code | requests |\n|---|---:|\n${table(rest.byCode)}`);
  const findings = [...sockets.findings, ...rest.findings.map((finding) => JSON.stringify(finding))];
  console.log(`\n## findings: ${sockets.findings.length} socket, ${violations(rest)} REST`);
  for (const finding of findings.slice(0, 50)) console.log(`- ${finding}`);
  const growth = (after - before) / before;
  console.log(`\nRSS ${mib(before)} before, ${mib(samples[0]!)} when the job ended, ${mib(after)} after ${(samples.length - 1) * 5} s idle (${(growth * 100).toFixed(1)}%); /healthz ${healthz}; job ${job.status} with ${job.latestModelVersion}/${fleet.rounds} versions; load average ${load()}`);
  if (findings.length > 0 || sockets.closed.unexpected > 0 || healthz !== 200 || job.status !== 'completed' || job.latestModelVersion !== fleet.rounds || growth > 0.1) exitCode = 1;
} finally {
  fleet.close();
  await target.close();
}
process.exit(exitCode);
