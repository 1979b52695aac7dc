/**
 * One coordinator node of `bench:fleet-scale`, in a process of its own so its CPU time, resident set and file
 * descriptors are its alone. It is the real Coordinator (HTTP + socket.io; SQLite in a temporary directory, or, when
 * the parent names them, PostgreSQL and, for a node of a cluster, Redis as `shoal-coordinator --database-url
 * --redis-url --node-id` would run it) with the per-address limit on new anonymous registrations lifted, because every
 * simulated device connects from 127.0.0.1 (the CLI has no flag for it; the simulator lifts it the same way). Round
 * events (only the job's leader runs its rounds) go to the parent with this process's CPU time at that moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { serveRequests } from './fleet-scale-support.js';

const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
const now = () => performance.timeOrigin + performance.now();
const optional = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

let coordinator: Coordinator | undefined;
let dataDir: string | undefined;

async function start(args: Record<string, unknown>): Promise<{ url: string; logFile: string }> {
  dataDir = mkdtempSync(join(tmpdir(), 'shoal-bench-fleet-scale-'));
  // SHOAL_BENCH_LOG_DIR=<dir>: the node's log is kept there (else it goes with the temporary directory).
  const keep = process.env['SHOAL_BENCH_LOG_DIR'];
  const logFile = keep === undefined || keep === '' ? join(dataDir, 'coordinator.log') : join(keep, `${process.env['SHOAL_BENCH_CHILD'] ?? 'coordinator'}-${process.pid}.log`);
  coordinator = new Coordinator({
    port: 0,
    dataDir,
    databaseUrl: optional(args['databaseUrl']),
    redisUrl: optional(args['redisUrl']),
    nodeId: optional(args['nodeId']),
    leaseTtlMs: args['leaseTtlMs'] === undefined ? undefined : Number(args['leaseTtlMs']),
    logger: pino({ level: 'warn' }, destination({ dest: logFile, sync: false })),
    centralEvaluation: false,
    adminToken: String(args['adminToken']),
    maxConnections: Number(args['maxConnections']),
    anonymousAdmission: { perAddressPerMinute: Number.POSITIVE_INFINITY },
  });
  const { events } = coordinator;
  events.on('round:started', ({ jobId, round, selected }) => process.send?.({ notice: 'round', phase: 'started', jobId, round, selected: selected.length, at: now(), cpuMicros: cpuMicros() }));
  events.on('round:finished', ({ jobId, round, status }) => process.send?.({ notice: 'round', phase: 'finished', jobId, round, status, at: now(), cpuMicros: cpuMicros() }));
  const { url } = await coordinator.start();
  return { url, logFile };
}

serveRequests(
  async (command, args) => {
    if (command === 'start') return start(args);
    // Started with --expose-gc by the bench: what the connections retain, without the garbage V8 has not collected yet.
    if (command === 'gc') {
      const collect = (globalThis as { gc?: () => void }).gc;
      if (collect === undefined) throw new Error('the coordinator process was started without --expose-gc');
      collect();
      collect();
      return { rss: process.memoryUsage().rss };
    }
    throw new Error(`unknown command ${command}`);
  },
  async () => {
    await coordinator?.stop().catch(() => undefined);
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  },
);
