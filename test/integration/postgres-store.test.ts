/**
 * The coordinator on a real PostgreSQL (its own throwaway server): two raw protocol clients train a small job; the
 * coordinator stops mid-job and a new one on the same database resumes it, fails the interrupted round, finishes the
 * job, and reads back every version byte for byte as the first one stored it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { encodeFrame } from '@shoal/codec';
import { PROTOCOL_VERSION, type FitTask } from '@shoal/protocol';
import { call, connectRaw, helloRaw, type RawSocket } from '../support/raw-client.js';
import { eventually } from '../support/rest.js';
import { meta, tensors } from '../support/raw-fleet.js';
import { TINY_TOPOLOGY } from '../support/secure-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

const EXAMPLES = [100, 300];
let server: PostgresServer;
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-postgres-coordinator-'));

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A coordinator on the test database whose two raw clients answer tasks trained from versions below `answerBelow`. */
async function startNode(ids: (string | undefined)[], answerBelow = Number.POSITIVE_INFINITY) {
  const coordinator = new Coordinator({ port: 0, dataDir, databaseUrl: server.url, logger: pino({ level: 'silent' }), centralEvaluation: false });
  const { url } = await coordinator.start();
  const sockets: RawSocket[] = [];
  for (let c = 0; c < 2; c++) {
    const socket = await connectRaw(url, ids[c] === undefined ? undefined : { protocolVersion: PROTOCOL_VERSION, clientId: ids[c] });
    socket.on('fit:task', (task: FitTask) => {
      if (task.modelVersion >= answerBelow) return;
      const delta = tensors(coordinator.store.getJob(task.jobId)!.tensorSpecs, (i) => Math.sin(i + task.modelVersion + c) * 0.01);
      void call(socket, 'fit:result', meta(task, EXAMPLES[c]!), encodeFrame('delta', delta, { id: 'float32' })).catch(() => undefined);
    });
    ids[c] = await helloRaw(socket, `pg-raw-${c}`, EXAMPLES[c]);
    sockets.push(socket);
  }
  return {
    coordinator,
    async stop() {
      for (const socket of sockets) socket.disconnect();
      await coordinator.stop();
    },
  };
}

describe('the coordinator on PostgreSQL', () => {
  it('trains, stops mid-job, and a restarted coordinator on the same database resumes and completes the job', async () => {
    const ids: (string | undefined)[] = [];
    const first = await startNode(ids, 1); // round 2 (from version 1) stays open until the restart fails it
    const job = await first.coordinator.jobs.create({ name: 'on-postgres', model: { topology: TINY_TOPOLOGY }, seed: 3, rounds: 3, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'float32' } });
    await eventually(async () => (first.coordinator.store.getRound(job.id, 2)?.status === 'running' ? true : undefined), 'round 2 to start');
    const version1 = Array.from(first.coordinator.store.getVersionWeights(job.id, 1)!);
    await first.stop();

    const second = await startNode(ids);
    const done = await eventually(async () => (second.coordinator.store.getJob(job.id)?.status === 'completed' ? second.coordinator.store.getJob(job.id) : undefined), 'the resumed job to complete');
    const store = second.coordinator.store;
    const rounds = store.listRounds(job.id);
    const versions = store.listVersions(job.id);
    const contributions = store.listContributions(job.id, 2);
    await second.stop();

    expect(done).toMatchObject({ name: 'on-postgres', latestVersion: 3 });
    expect(rounds.map((r) => [r.round, r.status, r.interrupted === true])).toEqual([
      [1, 'completed', false],
      [2, 'failed', true],
      [3, 'completed', false],
      [4, 'completed', false],
    ]);
    expect(versions.map((v) => [v.version, v.round])).toEqual([
      [0, undefined],
      [1, 1],
      [2, 3],
      [3, 4],
    ]);
    expect(contributions.map((c) => c.status)).toEqual(['dropped', 'dropped']);
    expect(done!.bytesUp).toBeGreaterThan(0);

    // A third coordinator only reads: the job and its weights are as the first one stored them.
    const reader = new Coordinator({ port: 0, dataDir, databaseUrl: server.url, logger: pino({ level: 'silent' }), centralEvaluation: false });
    const job3 = reader.store.getJob(job.id);
    const stored1 = Array.from(reader.store.getVersionWeights(job.id, 1)!);
    reader.store.close();
    expect(job3?.status).toBe('completed');
    expect(stored1).toEqual(version1);
  });
});
