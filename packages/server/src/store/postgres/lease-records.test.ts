import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PATIENCE_MS } from '../../../../../test/support/patience.js';
import { startPostgres, type PostgresServer } from '../../../../../test/support/postgres-server.js';
import { jobRecord, modelVersion, runningRound, weightBytes } from '../../testing/store-contract/fixtures.js';
import type { JobLease, LeasesPort } from '../store.js';
import { PostgresStore } from './postgres-store.js';

// One server for the file; each test's nodes share a schema of their own, dropped after it.
let server: PostgresServer;
let admin: pg.Client;
let schemas = 0;
let opened: PostgresStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
});

afterEach(async () => {
  for (const store of opened) store.close();
  const schemaNames = new Set(opened.map((store) => store.options.schema));
  opened = [];
  for (const schema of schemaNames) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** Two coordinator nodes (cluster stores) on one fresh schema. */
function twoNodes(): { a: PostgresStore; b: PostgresStore; la: LeasesPort; lb: LeasesPort } {
  const schema = `leases_${++schemas}`;
  const a = open(schema, true);
  const b = open(schema, true);
  return { a, b, la: a.leases!, lb: b.leases! };
}

function open(schema: string, cluster: boolean): PostgresStore {
  const store = new PostgresStore({ connectionString: server.url, schema, cluster });
  opened.push(store);
  return store;
}

/** Asks until `probe` gives something: a lease expires on the database's clock, however slow this machine is. */
async function eventually<T>(what: string, probe: () => T | undefined): Promise<T> {
  const giveUpAt = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function addJob(store: PostgresStore, id: string, overrides: Parameters<typeof jobRecord>[1] = {}): void {
  const job = jobRecord(id, overrides);
  store.insertJob(job, modelVersion(0, { createdAt: job.createdAt }));
}

/** B takes the job over once A's short lease has expired. */
async function takeOver(lb: LeasesPort, jobId: string): Promise<JobLease> {
  return eventually(`node b to take over ${jobId}`, () => lb.acquire(jobId, 'node-b', 60_000));
}

const LONG = 60_000;
const SHORT = 200;

describe('PgLeaseRecords', () => {
  it('gives a free job to one node only; the holder acquiring again keeps its epoch', () => {
    const { a, la, lb } = twoNodes();
    addJob(a, 'job-a');
    const lease = la.acquire('job-a', 'node-a', LONG);
    expect(lease).toMatchObject({ jobId: 'job-a', holder: 'node-a', epoch: 1 });
    expect(lb.acquire('job-a', 'node-b', LONG)).toBeUndefined();
    expect(la.acquire('job-a', 'node-a', LONG)).toMatchObject({ holder: 'node-a', epoch: 1 });
    expect(lb.current('job-a')).toMatchObject({ holder: 'node-a', epoch: 1 });
    expect(lb.current('job-a')!.expiresAt).toBeGreaterThanOrEqual(lease!.expiresAt);
    expect(la.renew('job-a', 'node-a', 1, LONG)).toBe(true);
    expect(la.acquire('no-such-job', 'node-a', LONG)).toBeUndefined();
  });

  it('moves the epoch on when another node takes an expired lease over; the old holder can no longer renew', async () => {
    const { a, la, lb } = twoNodes();
    addJob(a, 'job-a');
    expect(la.acquire('job-a', 'node-a', SHORT)?.epoch).toBe(1);
    const taken = await takeOver(lb, 'job-a');
    expect(taken).toMatchObject({ holder: 'node-b', epoch: 2 });
    expect(la.renew('job-a', 'node-a', 1, LONG)).toBe(false);
    expect(la.current('job-a')).toMatchObject({ holder: 'node-b', epoch: 2 });
    expect(lb.renew('job-a', 'node-b', 2, LONG)).toBe(true);
  });

  it("refuses every write of a stale holder with LEASE_LOST, changing nothing, and lets the new holder's through", async () => {
    const { a, b, la, lb } = twoNodes();
    addJob(a, 'job-a');
    la.acquire('job-a', 'node-a', SHORT);
    a.startRound(runningRound('job-a', 1, 2_000), ['c1', 'c2']);
    a.strategyStates.save('job-a', 0, { scalars: { step: 1 }, tensors: {} });
    await takeOver(lb, 'job-a');

    const snapshot = () => ({
      job: b.getJob('job-a'),
      rounds: b.listRounds('job-a'),
      contributions: b.listContributions('job-a', 1),
      versions: b.listVersions('job-a'),
      state: b.strategyStates.load('job-a', 0),
    });
    const before = snapshot();
    const close = { jobId: 'job-a', round: 1, status: 'completed', statusReason: undefined, endedAt: 3_000, reported: 2, failed: 0, metrics: {} } as const;
    const lost = expect.objectContaining({ name: 'ShoalError', code: 'LEASE_LOST', message: expect.stringMatching(/job-a.*node-a.*epoch 1/) });
    const staleWrites: [string, () => unknown][] = [
      ['finishRound with a version', () => a.finishRound(close, modelVersion(1, { weights: weightBytes(9) }))],
      ['startRound', () => a.startRound(runningRound('job-a', 2, 4_000), ['c1'])],
      ['setJobStatus', () => a.setJobStatus('job-a', 'paused', 'stale', 5_000)],
      ['failOpenRounds', () => a.failOpenRounds('job-a', 'stale', 5_000)],
      ['updateRoundMetrics', () => a.updateRoundMetrics('job-a', 1, { centralAccuracy: 0.5 })],
      ['updateContribution', () => a.updateContribution('job-a', 1, 'c1', { status: 'accepted', bytesUp: 100 })],
      ['addBytesDown', () => a.addBytesDown('job-a', 1, 'c1', 100)],
      ['updateContributions', () => a.updateContributions('job-a', 1, [{ clientId: 'c1', patch: { status: 'accepted', bytesUp: 100 } }, { clientId: 'c2', patch: { status: 'failed' } }])],
      ['addBytesDownRows', () => a.addBytesDownRows('job-a', [{ round: 1, clientId: 'c1', bytes: 100 }, { round: 1, clientId: 'c2', bytes: 5 }])],
      ['setVersionEvaluation', () => a.setVersionEvaluation('job-a', 0, 0.5, 1)],
      ['pruneVersions', () => a.pruneVersions('job-a', { keepLast: 0, keepEvery: 0 }, [], 5_000)],
      ['strategy state save', () => a.strategyStates.save('job-a', 0, { scalars: { step: 2 }, tensors: {} })],
      ['strategy state prune', () => a.strategyStates.pruneBefore('job-a', 1)],
      ['recordPayload', () => a.devices.recordPayload('job-a', 1, 'c1', 'ab'.repeat(32))],
    ];
    for (const [name, write] of staleWrites) expect(write, name).toThrow(lost);
    // Learning that the lease is lost does not lift the fence: the stale holder's writes keep failing.
    expect(la.renew('job-a', 'node-a', 1, LONG)).toBe(false);
    for (const [name, write] of staleWrites) expect(write, `${name} after the failed renew`).toThrow(lost);
    expect(snapshot()).toEqual(before);
    expect(b.devices.payloadSeen('job-a', 'c1', 'ab'.repeat(32))).toBe(false);

    b.finishRound(close, modelVersion(1, { weights: weightBytes(9) }));
    b.setJobStatus('job-a', 'paused', 'by the new leader', 5_000);
    expect(a.getJob('job-a')).toMatchObject({ status: 'paused', statusReason: 'by the new leader', latestVersion: 1 });
    expect(a.listVersions('job-a').map((version) => version.version)).toEqual([0, 1]);
    expect(a.getRound('job-a', 1)).toMatchObject({ status: 'completed', modelVersion: 1 });
  });

  it('leaves the writes of a node holding no fence for the job as they were', () => {
    const { a, b, lb } = twoNodes();
    addJob(a, 'job-a');
    lb.acquire('job-a', 'node-b', LONG);
    a.startRound(runningRound('job-a', 1, 2_000), ['c1']);
    a.setJobStatus('job-a', 'paused', undefined, 3_000);
    expect(b.getJob('job-a')).toMatchObject({ status: 'paused', currentRound: 1 });
  });

  it("lets another node acquire at once after a release, which only the holder's own call makes", () => {
    const { a, la, lb } = twoNodes();
    addJob(a, 'job-a');
    la.acquire('job-a', 'node-a', LONG);
    lb.release('job-a', 'node-b', 1);
    la.release('job-a', 'node-a', 2);
    expect(lb.acquire('job-a', 'node-b', LONG)).toBeUndefined();
    la.release('job-a', 'node-a', 1);
    expect(la.current('job-a')).toBeUndefined();
    expect(lb.acquire('job-a', 'node-b', LONG)).toMatchObject({ holder: 'node-b', epoch: 2 });
  });

  it('lists running and paused jobs without a live lease as orphaned, oldest first, not finished or held ones', async () => {
    const { a, la, lb } = twoNodes();
    addJob(a, 'running-free', { createdAt: 3_000 });
    addJob(a, 'paused-released', { status: 'paused', createdAt: 1_000 });
    addJob(a, 'running-expired', { createdAt: 2_000 });
    addJob(a, 'completed', { status: 'completed', createdAt: 500 });
    addJob(a, 'running-held', { createdAt: 100 });
    la.acquire('paused-released', 'node-a', LONG);
    la.release('paused-released', 'node-a', 1);
    la.acquire('running-expired', 'node-a', SHORT);
    lb.acquire('running-held', 'node-b', LONG);
    const orphans = await eventually('the short lease to expire', () => {
      const found = la.orphaned(10);
      return found.includes('running-expired') ? found : undefined;
    });
    expect(orphans).toEqual(['paused-released', 'running-expired', 'running-free']);
    expect(lb.orphaned(1)).toEqual(['paused-released']);
  });
});

describe('PostgresStore cluster option', () => {
  it('without cluster keeps refusing a second coordinator on the schema (CONFLICT) and has no leases', () => {
    const schema = `leases_${++schemas}`;
    const single = open(schema, false);
    expect(single.leases).toBeUndefined();
    expect(() => new PostgresStore({ connectionString: server.url, schema })).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'CONFLICT' }));
    const other = `leases_${++schemas}`;
    const first = open(other, true);
    const second = open(other, true);
    expect(first.leases).toBeDefined();
    expect(second.leases).toBeDefined();
  });
});
