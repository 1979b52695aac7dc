/**
 * Three coordinator nodes in one process on a real PostgreSQL and a real Redis, six raw protocol clients spread over
 * them, fixed updates: a FedAvg job created on one node aggregates hierarchically (each node sums its own clients'
 * updates, the leader merges the partial sums) and ends with the same model as one SQLite coordinator given the same
 * updates, to float32 rounding. A console socket on another node sees every round the leader runs, and a client's
 * refusal (a duplicate upload) is decided by the leader for an upload that arrived at another node. A median job,
 * which needs every update, has each upload forwarded whole to its leader and gives the same model too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { Coordinator } from '@shoal/server';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import { PROTOCOL_VERSION, type FitTask } from '@shoal/protocol';
import { CONSOLE_NAMESPACE } from '@shoal/protocol/console';
import { call, connectRaw, helloRaw, type RawSocket } from '../support/raw-client.js';
import { eventually } from '../support/rest.js';
import { meta, tensors } from '../support/raw-fleet.js';
import { TINY_TOPOLOGY } from '../support/secure-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const TOKEN = 'cluster-test-admin-token-0123456789';
const EXAMPLES = [100, 300, 50, 250, 125, 175];
const ROUNDS = 3;
let postgres: PostgresServer;
let redis: RedisServer;
const root = mkdtempSync(join(tmpdir(), 'shoal-cluster-'));
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedisServer()]);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all([postgres?.stop(), redis?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

/** While set, client 0 waits for it before uploading (the last test stops a node in the middle of a round). */
let gate: Promise<void> | undefined;

/** Client c's update from a version: fixed, distinct per client, so both runs see exactly the same numbers. */
function answer(coordinator: Coordinator, socket: RawSocket, c: number, duplicates?: { code?: string }): void {
  socket.on('fit:task', (task: FitTask) => {
    const specs = coordinator.store.getJob(task.jobId)!.tensorSpecs;
    const frame = encodeFrame('delta', tensors(specs, (i, t) => Math.sin(i * 0.37 + t + c * 1.3 + task.modelVersion) * 0.02 * (c + 1)), { id: 'float32' });
    void (async () => {
      if (c === 0) await gate;
      await call(socket, 'fit:result', meta(task, EXAMPLES[c]!), frame);
      // The leader judges a second upload of the same round, wherever it arrives.
      if (duplicates !== undefined && task.round === 1) duplicates.code = (await call(socket, 'fit:result', meta(task, EXAMPLES[c]!), frame)).error?.code;
      // A client of the node the last test stops sees its pending acknowledgement fail: that is the point of it.
    })().catch((error: Error) => {
      if (error.message !== 'socket has been disconnected') throw error;
    });
  });
}

async function clients(nodes: readonly Coordinator[], urls: readonly string[], prefix: string, duplicates?: { code?: string }): Promise<void> {
  for (let c = 0; c < EXAMPLES.length; c++) {
    const n = c % nodes.length;
    const socket = await connectRaw(urls[n]!, { protocolVersion: PROTOCOL_VERSION, clientId: `${prefix}-${c}` });
    answer(nodes[n]!, socket, c, c === 4 ? duplicates : undefined);
    await helloRaw(socket, `${prefix}-${c}`, EXAMPLES[c]);
    closers.push(() => void socket.disconnect());
  }
}

const JOB = { name: 'hierarchical', model: { topology: TINY_TOPOLOGY }, seed: 11, rounds: ROUNDS, minFitClients: EXAMPLES.length, fractionFit: 1, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'float32' } };

async function finalWeights(coordinator: Coordinator, jobId: string): Promise<number[]> {
  // (the job ends with one version per round)
  const done = await eventually(async () => (coordinator.store.getJob(jobId)?.status === 'completed' ? coordinator.store.getJob(jobId) : undefined), `job ${jobId} to complete`);
  expect(done!.latestVersion).toBe(ROUNDS);
  return decodeFrame(coordinator.store.getVersionWeights(jobId, ROUNDS)!).tensors.flatMap((tensor) => Array.from(tensor.values));
}

const stopped = new Set<Coordinator>();
let single: Coordinator;
let nodes: Coordinator[];
let watcher: Socket;
const finished: { jobId: string; round: number }[] = [];
const duplicates: { code?: string } = {};

beforeAll(async () => {
  // One SQLite node: the reference.
  single = new Coordinator({ port: 0, dataDir: join(root, 'single'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN });
  const singleUrl = (await single.start()).url;
  closers.push(() => single.stop());
  await clients([single], [singleUrl], 'single');

  nodes = ['n1', 'n2', 'n3'].map(
    (nodeId) => new Coordinator({ port: 0, dataDir: join(root, nodeId), databaseUrl: postgres.url, redisUrl: redis.url, nodeId, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN }),
  );
  const urls: string[] = [];
  for (const node of nodes) {
    urls.push((await node.start()).url);
    closers.push(() => (stopped.has(node) ? undefined : node.stop()));
  }
  watcher = connectSocket(`${urls[1]}${CONSOLE_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { protocolVersion: PROTOCOL_VERSION, token: TOKEN } });
  closers.push(() => void watcher.disconnect());
  watcher.on('round:finished', (event: { jobId: string; round: number }) => finished.push({ jobId: event.jobId, round: event.round }));
  await new Promise<void>((resolve, reject) => {
    watcher.once('connect', resolve);
    watcher.once('connect_error', reject);
  });
  await clients(nodes, urls, 'cluster', duplicates);
  // Every node sees the whole fleet before a job starts (presence over the bus).
  for (const node of nodes) await eventually(async () => (node.registry.idleCount() === EXAMPLES.length ? true : undefined), 'every node to see six clients');
});

/** The same job on one node and on the cluster (led by node 1): both final models. */
async function bothWays(job: typeof JOB & { strategy?: { name: string } }): Promise<{ jobId: string; expected: number[]; clustered: number[] }> {
  const reference = await single.jobs.create(job);
  const expected = await finalWeights(single, reference.id);
  for (const node of nodes) await eventually(async () => (node.registry.idleCount() === EXAMPLES.length ? true : undefined), 'the fleet to be idle');
  const created = await nodes[0]!.jobs.create(job);
  const clustered = await finalWeights(nodes[0]!, created.id);
  expect(clustered.length).toBe(expected.length);
  expect(clustered.some((value) => value !== 0)).toBe(true);
  return { jobId: created.id, expected, clustered };
}

const counter = async (node: Coordinator, name: string) => (await node.metrics.registry.getSingleMetric(name)!.get()).values;
const uploads = async (node: Coordinator, path: 'summed' | 'forwarded') => (await counter(node, 'shoal_cluster_uploads_total')).find((v) => v.labels['path'] === path)?.value ?? 0;

describe('three coordinator nodes on PostgreSQL and Redis', () => {
  it("aggregate FedAvg hierarchically to the model one node computes, and every node sees the leader's rounds", async () => {
    const { jobId, expected, clustered } = await bothWays(JOB);
    // To float32 rounding: the sums are added in another order, so the runs are not byte-identical.
    const scale = Math.max(...expected.map(Math.abs));
    const worst = Math.max(...clustered.map((value, i) => Math.abs(value - expected[i]!)));
    expect(worst).toBeLessThanOrEqual(scale * 1e-6);
    // Hierarchical: nodes 2 and 3 summed their clients' uploads (2 per round each) and node 1 merged their sums.
    for (const node of nodes.slice(1)) expect(await uploads(node, 'summed')).toBeGreaterThanOrEqual(2 * ROUNDS);
    // Nothing else went whole to the leader: at most client 4's duplicate, when it arrived after the next round opened.
    expect(await uploads(nodes[2]!, 'forwarded')).toBe(0);
    expect(await uploads(nodes[1]!, 'forwarded')).toBeLessThanOrEqual(1);
    expect((await counter(nodes[0]!, 'shoal_partial_sums_merged_total'))[0]?.value).toBe(2 * ROUNDS);
    await eventually(async () => (finished.filter((f) => f.jobId === jobId).length >= ROUNDS ? true : undefined), 'the console on node 2 to see every round');
    expect(finished.filter((f) => f.jobId === jobId).map((f) => f.round)).toEqual([1, 2, 3]);
    // Client 4 (on node 2) uploaded twice in round 1: the leader refused the second, judged from node 2's report.
    expect(duplicates.code).toBe('DUPLICATE_UPDATE');
    expect(nodes[2]!.store.listRounds(jobId).map((r) => [r.round, r.status, r.reported])).toEqual([
      [1, 'completed', EXAMPLES.length],
      [2, 'completed', EXAMPLES.length],
      [3, 'completed', EXAMPLES.length],
    ]);
  });

  it('forward every upload of a median job whole to its leader, which gives the same model as one node', async () => {
    const before = await Promise.all(nodes.slice(1).map((node) => uploads(node, 'forwarded')));
    const { jobId, expected, clustered } = await bothWays({ ...JOB, name: 'median', strategy: { name: 'fedmedian' } });
    expect(clustered).toEqual(expected);
    const after = await Promise.all(nodes.slice(1).map((node) => uploads(node, 'forwarded')));
    after.forEach((count, n) => expect(count - before[n]!).toBeGreaterThanOrEqual(2 * ROUNDS));
    expect(nodes[1]!.store.listRounds(jobId).every((r) => r.status === 'completed' && r.reported === EXAMPLES.length)).toBe(true);
  });

  it('fail a round whose partial sum was lost with a node, release no model from it, and go on without that node', async () => {
    const n3 = nodes[2]!;
    const summedBefore = await uploads(n3, 'summed');
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const job = await nodes[0]!.jobs.create({ ...JOB, name: 'lost-node', rounds: 2, minFitClients: 4 });
    // Node 3's two clients have uploaded round 1 and the leader accepted them (node 3 holds their sum): every client but
    // client 0 on node 1, which has not uploaded.
    await eventually(async () => ((await uploads(n3, 'summed')) >= summedBefore + 2 ? true : undefined), 'node 3 to sum its clients');
    const accepted = () => nodes[0]!.store.listContributions(job.id, 1).filter((c) => c.status === 'accepted').length;
    await eventually(async () => (accepted() === EXAMPLES.length - 1 ? true : undefined), 'the leader to accept every upload but client 0’s');
    await n3.stop();
    stopped.add(n3);
    release();
    gate = undefined;
    const done = await eventually(async () => (nodes[0]!.store.getJob(job.id)?.status === 'completed' ? nodes[0]!.store.getJob(job.id) : undefined), 'the job to complete');
    const rounds = nodes[1]!.store.listRounds(job.id);
    expect(rounds.map((r) => [r.round, r.status])).toEqual([
      [1, 'failed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
    expect(rounds[0]!.statusReason).toMatch(/partial sums were lost: .*n3 \(2 updates\)/);
    expect(done!.latestVersion).toBe(2);
    expect(nodes[1]!.store.listVersions(job.id).map((v) => [v.version, v.round])).toEqual([
      [0, undefined],
      [1, 2],
      [2, 3],
    ]);
  });
});
