/** The contract of the contributions and clients ports, and of the retention of unenrolled clients. */
import { describe, expect, it } from 'vitest';
import type { ClientQuery } from '../../store/store.js';
import type { ContractSection, ContractStore } from './contract-types.js';
import { addJob, capabilities, clientRecord, runningRound } from './fixtures.js';

const query = (overrides: Partial<ClientQuery>): ClientQuery => ({
  offset: 0, limit: 10, search: undefined, status: undefined, sort: 'id', descending: false, onlineIds: [], ...overrides,
});

async function openRound(store: ContractStore, clientIds: string[]): Promise<void> {
  await addJob(store, 'job-a');
  await store.startRound(runningRound('job-a', 1, 2_000), clientIds);
}

export const clientsContract: ContractSection = (use) => {
  describe('contributions', () => {
    it('applies a patch and keeps what a later patch leaves out', async () => {
      const store = use();
      await openRound(store, ['c1']);
      await store.updateContribution('job-a', 1, 'c1', {
        status: 'accepted', numExamples: 600, loss: 0.5, accuracy: 0.75, durationMs: 1_250, weight: 512, updateNorm: 2.5, distanceToAggregate: 0.125, outlier: false,
      });
      await store.updateContribution('job-a', 1, 'c1', { loss: 0.25 });
      expect(await store.listContributions('job-a', 1)).toEqual([{
        jobId: 'job-a', round: 1, clientId: 'c1', status: 'accepted', errorCode: undefined, numExamples: 600, bytesUp: 0, bytesDown: 0,
        loss: 0.25, accuracy: 0.75, durationMs: 1_250, weight: 512, updateNorm: 2.5, distanceToAggregate: 0.125, outlier: false,
      }]);
    });

    it('leaves the figures of a fresh contribution undefined, and stores an outlier flag', async () => {
      const store = use();
      await openRound(store, ['c1', 'c2']);
      await store.updateContribution('job-a', 1, 'c2', { outlier: true });
      const [fresh, flagged] = await store.listContributions('job-a', 1);
      expect([fresh?.numExamples, fresh?.loss, fresh?.weight, fresh?.outlier]).toEqual([undefined, undefined, undefined, undefined]);
      expect(flagged?.outlier).toBe(true);
    });

    it('keeps a refusal code through later patches until clearErrorCode', async () => {
      const store = use();
      await openRound(store, ['c1']);
      await store.updateContribution('job-a', 1, 'c1', { status: 'rejected', errorCode: 'UPDATE_NOT_FINITE' });
      await store.updateContribution('job-a', 1, 'c1', { status: 'accepted' });
      expect((await store.listContributions('job-a', 1))[0]).toMatchObject({ status: 'accepted', errorCode: 'UPDATE_NOT_FINITE' });
      await store.updateContribution('job-a', 1, 'c1', { clearErrorCode: true });
      const cleared = (await store.listContributions('job-a', 1))[0];
      expect(cleared?.status).toBe('accepted');
      expect(cleared?.errorCode).toBeUndefined();
    });

    it('adds up bytes uploaded and downloaded', async () => {
      const store = use();
      await openRound(store, ['c1']);
      await store.updateContribution('job-a', 1, 'c1', { bytesUp: 100 });
      await store.updateContribution('job-a', 1, 'c1', { bytesUp: 50, status: 'accepted' });
      await store.updateContribution('job-a', 1, 'c1', { loss: 1 });
      await store.addBytesDown('job-a', 1, 'c1', 10);
      await store.addBytesDown('job-a', 1, 'c1', 20);
      expect((await store.listContributions('job-a', 1))[0]).toMatchObject({ bytesUp: 150, bytesDown: 30 });
    });

    it('changes nothing for a client that was not selected', async () => {
      const store = use();
      await openRound(store, ['c1']);
      await store.updateContribution('job-a', 1, 'c9', { status: 'accepted', bytesUp: 5 });
      await store.addBytesDown('job-a', 1, 'c9', 5);
      await store.updateContribution('job-a', 2, 'c1', { status: 'accepted' });
      expect((await store.listContributions('job-a', 1)).map((c) => [c.clientId, c.status, c.bytesUp, c.bytesDown])).toEqual([['c1', 'selected', 0, 0]]);
      expect(await store.listContributions('job-a', 2)).toEqual([]);
    });
  });

  describe('clients', () => {
    it('inserts a client and updates it on upsert, keeping when it was first seen', async () => {
      const store = use();
      expect(await store.upsertClient(clientRecord('c1', { firstSeenAt: 100, lastSeenAt: 100 }))).toBe(true);
      const changed = clientRecord('c1', { name: 'renamed', capabilities: capabilities({ backend: 'webgl', labels: ['lab'] }), firstSeenAt: 500, lastSeenAt: 500 });
      expect(await store.upsertClient(changed)).toBe(false);
      expect(await store.getClient('c1')).toEqual({ ...changed, firstSeenAt: 100 });
      expect(await store.getClient('c2')).toBeUndefined();
    });

    it('touches only lastSeenAt, and only of a known client', async () => {
      const store = use();
      await store.upsertClient(clientRecord('c1'));
      await store.touchClient('c1', 900);
      await store.touchClient('c2', 900);
      expect(await store.getClient('c1')).toEqual(clientRecord('c1', { lastSeenAt: 900 }));
      expect(await store.countClients()).toBe(1);
    });

    it('lists clients by id and counts them', async () => {
      const store = use();
      for (const id of ['c3', 'c1', 'c2']) await store.upsertClient(clientRecord(id));
      expect((await store.listClients()).map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
      expect(await store.countClients()).toBe(3);
    });

    it('counts accepted contributions per client, across jobs and rounds', async () => {
      const store = use();
      await openRound(store, ['c1', 'c2', 'c3']);
      await addJob(store, 'job-b');
      await store.startRound(runningRound('job-b', 1, 2_000), ['c1']);
      await store.updateContribution('job-a', 1, 'c1', { status: 'accepted' });
      await store.updateContribution('job-b', 1, 'c1', { status: 'accepted' });
      await store.updateContribution('job-a', 1, 'c2', { status: 'rejected' });
      await store.updateContribution('job-a', 1, 'c3', { status: 'accepted' });
      expect(await store.contributionCounts()).toEqual(new Map([['c1', 2], ['c3', 1]]));
    });

    describe('queryClients', () => {
      const seed = async (store: ContractStore): Promise<void> => {
        await store.upsertClient(clientRecord('c1', { name: 'Alpha', lastSeenAt: 10, capabilities: capabilities({ platform: 'linux' }) }));
        await store.upsertClient(clientRecord('c2', { name: 'beta', lastSeenAt: 30, capabilities: capabilities({ platform: 'android', backend: 'webgl' }) }));
        await store.upsertClient(clientRecord('c3', { name: 'Gamma', lastSeenAt: 20, capabilities: capabilities({ platform: 'Linux' }) }));
        await store.upsertClient(clientRecord('c4', { name: '50%_off', lastSeenAt: 40, capabilities: capabilities({ platform: 'ios' }) }));
      };
      const ids = (page: { items: { client: { id: string } }[] }): string[] => page.items.map((item) => item.client.id);

      it('pages in the sort order and counts every match', async () => {
        const store = use();
        await seed(store);
        const page = await store.queryClients(query({ sort: 'lastSeen', offset: 1, limit: 2 }));
        expect(ids(page)).toEqual(['c3', 'c2']);
        expect(page.total).toBe(4);
        expect(ids(await store.queryClients(query({ sort: 'name', descending: true })))).toEqual(['c3', 'c2', 'c1', 'c4']);
      });

      it('searches case-insensitively, with % and _ taken literally', async () => {
        const store = use();
        await seed(store);
        const linux = await store.queryClients(query({ search: 'LINUX' }));
        expect([ids(linux), linux.total]).toEqual([['c1', 'c3'], 2]);
        expect(ids(await store.queryClients(query({ search: '%_' })))).toEqual(['c4']);
        expect(ids(await store.queryClients(query({ search: 'webgl' })))).toEqual(['c2']);
      });

      it('filters and sorts by who is online', async () => {
        const store = use();
        await seed(store);
        expect(ids(await store.queryClients(query({ status: 'online', onlineIds: ['c2'] })))).toEqual(['c2']);
        expect(ids(await store.queryClients(query({ status: 'offline', onlineIds: ['c2'] })))).toEqual(['c1', 'c3', 'c4']);
        expect(ids(await store.queryClients(query({ sort: 'status', descending: true, onlineIds: ['c3'] })))).toEqual(['c3', 'c1', 'c2', 'c4']);
      });

      it('carries and sorts by accepted contributions', async () => {
        const store = use();
        await seed(store);
        await openRound(store, ['c2', 'c4']);
        await store.updateContribution('job-a', 1, 'c4', { status: 'accepted' });
        const page = await store.queryClients(query({ sort: 'contributions', descending: true }));
        expect(page.items.map((item) => [item.client.id, item.contributions])).toEqual([['c4', 1], ['c1', 0], ['c2', 0], ['c3', 0]]);
      });
    });

    it('returns each asked client’s most recent contributions, newest first', async () => {
      const store = use();
      await addJob(store, 'job-a');
      for (const round of [1, 2, 3]) await store.startRound(runningRound('job-a', round, round * 100), ['c1']);
      const recent = await store.recentContributions(['c1', 'c9'], 2);
      expect(recent).toEqual(new Map([
        ['c1', [{ jobId: 'job-a', round: 3, status: 'selected', at: 300 }, { jobId: 'job-a', round: 2, status: 'selected', at: 200 }]],
        ['c9', []],
      ]));
      expect((await store.recentContributions([], 2)).size).toBe(0);
    });
  });

  describe('client retention', () => {
    it('expires unseen unenrolled clients, then the least recently seen beyond the bound, never online or enrolled ones', async () => {
      const store = use();
      for (const [id, lastSeenAt] of [['u1', 10], ['u2', 20], ['u3', 30], ['u4', 40], ['e1', 5]] as const) await store.upsertClient(clientRecord(id, { lastSeenAt }));
      await store.devices.insertJoinToken({ id: 'jt-1', hash: 'h', uses: 1, usesLeft: 1, expiresAt: 10_000, labels: [], createdAt: 1, createdBy: 'admin', revokedAt: undefined });
      expect(await store.devices.enrol({ clientId: 'e1', publicKey: 'key-e1', name: 'e1', joinTokenId: 'jt-1', enrolledAt: 2 }, 3)).toBe(true);
      expect(await store.clientRetention.unenrolledCount()).toBe(4);
      expect(await store.clientRetention.prune({ before: 15, keepAtMost: 2, isOnline: (id) => id === 'u2' })).toBe(2);
      expect((await store.listClients()).map((c) => c.id)).toEqual(['e1', 'u2', 'u4']);
      expect(await store.clientRetention.unenrolledCount()).toBe(2);
      expect(await store.clientRetention.prune({ before: 0, keepAtMost: 5, isOnline: () => false })).toBe(0);
    });
  });
};
