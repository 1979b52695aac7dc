/** The contract of the contributions port's batch writes (one statement on PostgreSQL, one transaction on SQLite). */
import { describe, expect, it } from 'vitest';
import type { ContractSection } from './contract-types.js';
import { addJob, runningRound } from './fixtures.js';

export const contributionsContract: ContractSection = (use) => {
  describe('contribution batches', () => {
    it('applies a batch of contribution patches and of downloaded bytes like the one-by-one calls, unknown rows changing nothing', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1', 'c2', 'c3']);
      await store.updateContributions('job-a', 1, [
        { clientId: 'c1', patch: { status: 'accepted', bytesUp: 100, numExamples: 32, loss: 0.5 } },
        { clientId: 'c2', patch: { status: 'rejected', errorCode: 'UPDATE_TOO_LARGE', bytesUp: 7 } },
        { clientId: 'unknown', patch: { status: 'accepted', bytesUp: 1_000 } },
        { clientId: 'c1', patch: { outlier: true, updateNorm: 2 } },
      ]);
      await store.addBytesDownRows('job-a', [
        { round: 1, clientId: 'c1', bytes: 40 },
        { round: 1, clientId: 'c3', bytes: 2 },
        { round: 1, clientId: 'c3', bytes: 3 },
        { round: 9, clientId: 'c1', bytes: 500 },
      ]);
      await store.updateContributions('job-a', 1, []);
      await store.addBytesDownRows('job-a', []);
      const rows = Object.fromEntries((await store.listContributions('job-a', 1)).map((c) => [c.clientId, c]));
      expect(rows['c1']).toMatchObject({ status: 'accepted', bytesUp: 100, bytesDown: 40, numExamples: 32, loss: 0.5, outlier: true, updateNorm: 2 });
      expect(rows['c2']).toMatchObject({ status: 'rejected', errorCode: 'UPDATE_TOO_LARGE', bytesUp: 7, bytesDown: 0 });
      expect(rows['c3']).toMatchObject({ status: 'selected', bytesUp: 0, bytesDown: 5 });
      expect(await store.getJob('job-a')).toMatchObject({ bytesUp: 107, bytesDown: 45 });
    });
  });
};
