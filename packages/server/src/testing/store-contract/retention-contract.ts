/** The contract of what keeps a long job's store bounded: version retention, incremental byte totals, batched touches. */
import { describe, expect, it } from 'vitest';
import type { ContractSection, ContractStore } from './contract-types.js';
import { addJob, bytesOf, clientRecord, modelVersion, runningRound, weightBytes } from './fixtures.js';
import { artifact, deployment } from './serving-contract.js';

const POLICY = { keepLast: 3, keepEvery: 5 };

/** Runs rounds `from`..`to`, each producing the version of its number. */
async function produce(store: ContractStore, jobId: string, from: number, to: number): Promise<void> {
  for (let round = from; round <= to; round++) {
    await store.startRound(runningRound(jobId, round, 2_000 + round), []);
    await store.finishRound({ jobId, round, status: 'completed', statusReason: undefined, endedAt: 3_000 + round, reported: 0, failed: 0, metrics: {} }, modelVersion(round));
  }
}

async function kept(store: ContractStore, jobId: string): Promise<number[]> {
  return (await store.listVersions(jobId)).filter((v) => v.prunedAt === undefined).map((v) => v.version);
}

export const retentionContract: ContractSection = (use) => {
  describe('model-version retention', () => {
    it('keeps version 0, the last keepLast, every keepEvery-th and the pinned; the rest lose their weights but keep their rows', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await produce(store, 'job-a', 1, 12);
      expect(await store.pruneVersions('job-a', POLICY, [7], 9_000)).toEqual([1, 2, 3, 4, 6, 8, 9]);
      expect(await kept(store, 'job-a')).toEqual([0, 5, 7, 10, 11, 12]);
      const versions = await store.listVersions('job-a');
      expect(versions).toHaveLength(13);
      expect(versions.find((v) => v.version === 2)).toMatchObject({ round: 2, parentVersion: 1, byteLength: 300, prunedAt: 9_000 });
      expect(await store.getVersion('job-a', 2)).toMatchObject({ version: 2, prunedAt: 9_000 });
      expect(await store.getVersionWeights('job-a', 2)).toBeUndefined();
      expect(bytesOf(await store.getVersionWeights('job-a', 12))).toEqual(bytesOf(weightBytes(12)));
      expect(bytesOf(await store.getVersionWeights('job-a', 0))).toEqual(bytesOf(weightBytes(0)));
      expect((await store.getVersion('job-a', 12))?.prunedAt).toBeUndefined();
    });

    it('prunes each version once, and a pin that goes away lets its version go later', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await produce(store, 'job-a', 1, 6);
      expect(await store.pruneVersions('job-a', POLICY, [2], 9_000)).toEqual([1, 3]);
      expect(await store.pruneVersions('job-a', POLICY, [2], 9_500)).toEqual([]);
      expect((await store.getVersion('job-a', 1))?.prunedAt).toBe(9_000);
      await produce(store, 'job-a', 7, 7);
      expect(await store.pruneVersions('job-a', POLICY, [4], 10_000)).toEqual([2]);
      expect(await kept(store, 'job-a')).toEqual([0, 4, 5, 6, 7]);
    });

    it('keeps versions a deployment of any status or an edge artifact was made from, and touches only the named job', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      await produce(store, 'job-a', 1, 8);
      await produce(store, 'job-b', 1, 8);
      await store.serving.insertDeployment(deployment('dep-1', { version: 1, status: 'rolled_back' }), []);
      await store.serving.insertDeployment(deployment('dep-2', { version: 2, status: 'serving' }), []);
      await store.artifacts.insert(artifact('art-1', { version: 3 }));
      expect(await store.pruneVersions('job-a', POLICY, [], 9_000)).toEqual([4]);
      expect(await kept(store, 'job-a')).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
      expect(await kept(store, 'job-b')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('drops the strategy states of pruned versions', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await produce(store, 'job-a', 1, 5);
      const state = { scalars: { clipNorm: 1.5 }, tensors: { moments: [Float32Array.of(1, 2)] } };
      await store.strategyStates.save('job-a', 1, state);
      await store.strategyStates.save('job-a', 5, state);
      expect(await store.pruneVersions('job-a', { keepLast: 1, keepEvery: 100 }, [], 9_000)).toEqual([1, 2, 3, 4]);
      expect(await store.strategyStates.load('job-a', 1)).toBeUndefined();
      expect(await store.strategyStates.load('job-a', 5)).toEqual(state);
    });
  });

  describe('history-independent totals', () => {
    it('keeps job bytes equal to the sum over its contributions, also across a re-run round and late bytes', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1', 'c2']);
      await store.updateContribution('job-a', 1, 'c1', { status: 'accepted', bytesUp: 100 });
      await store.addBytesDown('job-a', 1, 'c1', 30);
      await store.failOpenRounds('job-a', 'restart', 2_500, { interrupted: true });
      await store.startRound(runningRound('job-a', 1, 3_000), ['c1']);
      await store.updateContribution('job-a', 1, 'c1', { status: 'accepted', bytesUp: 40 });
      await store.addBytesDown('job-a', 1, 'c9', 999);
      await store.updateContribution('job-a', 1, 'c9', { bytesUp: 999 });
      await store.finishRound({ jobId: 'job-a', round: 1, status: 'completed', statusReason: undefined, endedAt: 4_000, reported: 1, failed: 0, metrics: {} }, modelVersion(1));
      expect(await store.getJob('job-a')).toMatchObject({ bytesUp: 40, bytesDown: 0 });
      await store.addBytesDown('job-a', 1, 'c1', 8);
      expect(await store.getJob('job-a')).toMatchObject({ bytesUp: 40, bytesDown: 8 });
    });
  });

  describe('last-seen touches', () => {
    it('shows every touch to every read at once, whether or not it was written yet', async () => {
      const store = use();
      for (const id of ['c1', 'c2', 'c3']) await store.upsertClient(clientRecord(id, { lastSeenAt: 100 }));
      for (const id of ['c1', 'c2', 'c3']) await store.touchClient(id, 900);
      await store.touchClient('c1', 950);
      expect((await store.getClient('c1'))?.lastSeenAt).toBe(950);
      expect((await store.listClients()).map((c) => c.lastSeenAt)).toEqual([950, 900, 900]);
      const page = await store.queryClients({ offset: 0, limit: 10, search: undefined, status: undefined, sort: 'lastSeen', descending: true, onlineIds: [] });
      expect(page.items.map((item) => item.client.id)).toEqual(['c1', 'c2', 'c3']);
    });

    it('lets an upsert after a touch win, and keeps touches across the retention of clients', async () => {
      const store = use();
      await store.upsertClient(clientRecord('c1', { lastSeenAt: 100 }));
      await store.upsertClient(clientRecord('c2', { lastSeenAt: 100 }));
      await store.touchClient('c1', 900);
      await store.upsertClient(clientRecord('c1', { lastSeenAt: 800 }));
      expect((await store.getClient('c1'))?.lastSeenAt).toBe(800);
      await store.touchClient('c2', 5_000);
      expect(await store.clientRetention.prune({ before: 1_000, keepAtMost: 10, isOnline: () => false })).toBe(1);
      expect((await store.listClients()).map((c) => c.id)).toEqual(['c2']);
    });
  });
};
