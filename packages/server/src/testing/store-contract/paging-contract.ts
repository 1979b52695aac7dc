/** The contract of keyset pages over the lists that grow with a job's history: rounds, model versions, contributions. */
import { describe, expect, it } from 'vitest';
import type { ContractSection, ContractStore } from './contract-types.js';
import { addJob, modelVersion, runningRound } from './fixtures.js';

/** Opens and closes the given rounds of a job, each producing the version of its number. */
async function rounds(store: ContractStore, jobId: string, numbers: readonly number[]): Promise<void> {
  for (const round of numbers) {
    await store.startRound(runningRound(jobId, round, 2_000 + round), []);
    await store.finishRound({ jobId, round, status: 'completed', statusReason: undefined, endedAt: 3_000 + round, reported: 0, failed: 0, metrics: {} }, modelVersion(round));
  }
}

export const pagingContract: ContractSection = (use) => {
  describe('keyset pages', () => {
    it('pages rounds: the first page, the page after a cursor (also one not in the list), the last page and the total', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      await rounds(store, 'job-a', [1, 3, 5, 7]);
      await rounds(store, 'job-b', [1, 2]);
      const numbers = (page: { items: { round: number }[]; more: boolean; total: number }) => ({ ...page, items: page.items.map((round) => round.round) });
      expect(numbers(await store.pageRounds('job-a', { limit: 2 }))).toEqual({ items: [1, 3], more: true, total: 4 });
      expect(numbers(await store.pageRounds('job-a', { limit: 2, after: 2 }))).toEqual({ items: [3, 5], more: true, total: 4 });
      expect(numbers(await store.pageRounds('job-a', { limit: 2, after: 5 }))).toEqual({ items: [7], more: false, total: 4 });
      expect(numbers(await store.pageRounds('job-a', { limit: 4, after: undefined }))).toEqual({ items: [1, 3, 5, 7], more: false, total: 4 });
      expect(numbers(await store.pageRounds('job-a', { limit: 2, after: 7 }))).toEqual({ items: [], more: false, total: 4 });
      expect(await store.pageRounds('job-c', { limit: 2 })).toEqual({ items: [], more: false, total: 0 });
      expect((await store.pageRounds('job-a', { limit: 1, after: 3 })).items).toEqual([await store.getRound('job-a', 5)]);
    });

    it('pages model versions from version 0, without weights, as listVersions has them', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await rounds(store, 'job-a', [1, 2, 3, 4, 5]);
      const listed = await store.listVersions('job-a');
      expect(await store.pageVersions('job-a', { limit: 4 })).toEqual({ items: listed.slice(0, 4), more: true, total: 6 });
      expect(await store.pageVersions('job-a', { limit: 4, after: 3 })).toEqual({ items: listed.slice(4), more: false, total: 6 });
      expect(await store.pageVersions('job-a', { limit: 2, after: 5 })).toEqual({ items: [], more: false, total: 6 });
      expect(await store.pageVersions('job-b', { limit: 2 })).toEqual({ items: [], more: false, total: 0 });
    });

    it('pages a round\'s contributions by client id, byte-wise, counting only that round', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c-b', 'C-z', 'c-a', 'c-c']);
      await store.startRound(runningRound('job-a', 2, 3_000), ['c-a']);
      const ids = (page: { items: { clientId: string }[]; more: boolean; total: number }) => ({ ...page, items: page.items.map((c) => c.clientId) });
      expect(ids(await store.pageContributions('job-a', 1, { limit: 3 }))).toEqual({ items: ['C-z', 'c-a', 'c-b'], more: true, total: 4 });
      expect(ids(await store.pageContributions('job-a', 1, { limit: 3, after: 'c-a' }))).toEqual({ items: ['c-b', 'c-c'], more: false, total: 4 });
      expect(ids(await store.pageContributions('job-a', 1, { limit: 1, after: 'c-a0' }))).toEqual({ items: ['c-b'], more: true, total: 4 });
      expect(ids(await store.pageContributions('job-a', 1, { limit: 3, after: 'c-c' }))).toEqual({ items: [], more: false, total: 4 });
      expect(await store.pageContributions('job-a', 9, { limit: 3 })).toEqual({ items: [], more: false, total: 0 });
      expect((await store.pageContributions('job-a', 1, { limit: 4 })).items).toEqual(await store.listContributions('job-a', 1));
    });
  });
};
