/** The contract of the jobs, rounds and model versions ports. */
import { describe, expect, it } from 'vitest';
import type { ContractSection } from './contract-types.js';
import { addJob, bytesOf, jobRecord, modelVersion, runningRound, weightBytes } from './fixtures.js';

export const jobsContract: ContractSection = (use) => {
  describe('jobs', () => {
    it('reads back an inserted job as given, with its version 0', async () => {
      const store = use();
      const { job, initial } = await addJob(store, 'job-a');
      expect(await store.getJob('job-a')).toEqual(job);
      expect(await store.listVersions('job-a')).toEqual([
        { jobId: 'job-a', version: 0, round: undefined, parentVersion: undefined, createdAt: initial.createdAt, byteLength: initial.weights.byteLength, centralAccuracy: undefined, centralLoss: undefined },
      ]);
      expect(await store.getJob('job-b')).toBeUndefined();
    });

    it('refuses a second job with the same id and keeps the first', async () => {
      const store = use();
      const { initial } = await addJob(store, 'job-a');
      await expect(Promise.resolve().then(() => store.insertJob(jobRecord('job-a', { name: 'other' }), modelVersion(0)))).rejects.toThrow();
      expect((await store.getJob('job-a'))?.name).toBe('job job-a');
      expect(bytesOf(await store.getVersionWeights('job-a', 0))).toEqual(bytesOf(initial.weights));
    });

    it('lists jobs oldest first, then by id', async () => {
      const store = use();
      await addJob(store, 'job-b', { createdAt: 2_000 });
      await addJob(store, 'job-a', { createdAt: 2_000 });
      await addJob(store, 'job-c', { createdAt: 1_000 });
      expect((await store.listJobs()).map((job) => job.id)).toEqual(['job-c', 'job-a', 'job-b']);
    });

    it('sets the status with its reason and time, and clears the reason', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.setJobStatus('job-a', 'failed', 'out of clients', 5_000);
      expect(await store.getJob('job-a')).toMatchObject({ status: 'failed', statusReason: 'out of clients', updatedAt: 5_000 });
      await store.setJobStatus('job-a', 'running', undefined, 6_000);
      const job = await store.getJob('job-a');
      expect(job).toMatchObject({ status: 'running', updatedAt: 6_000 });
      expect(job?.statusReason).toBeUndefined();
    });
  });

  describe('rounds', () => {
    it('starts a round with one selected contribution per client and moves the job to it', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c2', 'c1']);
      expect(await store.getRound('job-a', 1)).toEqual({ ...runningRound('job-a', 1, 2_000), selected: 2 });
      const contributions = await store.listContributions('job-a', 1);
      expect(contributions.map((c) => [c.clientId, c.status, c.bytesUp, c.bytesDown, c.errorCode])).toEqual([
        ['c1', 'selected', 0, 0, undefined],
        ['c2', 'selected', 0, 0, undefined],
      ]);
      expect(await store.getJob('job-a')).toMatchObject({ currentRound: 1, updatedAt: 2_000 });
    });

    it('starts a round again from scratch: figures reset, contributions replaced', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1', 'c2']);
      await store.updateContribution('job-a', 1, 'c1', { status: 'accepted', bytesUp: 10 });
      await store.failOpenRounds('job-a', 'deadline', 2_500);
      await store.startRound(runningRound('job-a', 1, 3_000), ['c3']);
      expect(await store.getRound('job-a', 1)).toEqual({ ...runningRound('job-a', 1, 3_000), selected: 1 });
      expect((await store.listContributions('job-a', 1)).map((c) => [c.clientId, c.status])).toEqual([['c3', 'selected']]);
    });

    it('finishes a round with a version: round, version and the job pointer change together, job bytes are summed', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1', 'c2']);
      await store.updateContribution('job-a', 1, 'c1', { status: 'accepted', bytesUp: 100 });
      await store.addBytesDown('job-a', 1, 'c2', 40);
      const version = modelVersion(1, { centralAccuracy: 0.5, centralLoss: 1.25 });
      await store.finishRound({ jobId: 'job-a', round: 1, status: 'completed', statusReason: 'quorum', endedAt: 3_000, reported: 1, failed: 1, metrics: { trainLoss: 0.75 } }, version);
      expect(await store.getRound('job-a', 1)).toEqual({
        ...runningRound('job-a', 1, 2_000),
        selected: 2,
        status: 'completed',
        statusReason: 'quorum',
        endedAt: 3_000,
        reported: 1,
        failed: 1,
        modelVersion: 1,
        metrics: { trainLoss: 0.75 },
      });
      expect(await store.getJob('job-a')).toMatchObject({ latestVersion: 1, bytesUp: 100, bytesDown: 40, updatedAt: 3_000 });
      expect(await store.getVersion('job-a', 1)).toEqual({
        jobId: 'job-a', version: 1, round: 1, parentVersion: 0, createdAt: version.createdAt, byteLength: version.weights.byteLength, centralAccuracy: 0.5, centralLoss: 1.25,
      });
    });

    it('finishes a round without a version: the latest version stays, bytes of every round are summed', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1']);
      await store.updateContribution('job-a', 1, 'c1', { bytesUp: 7 });
      await store.finishRound({ jobId: 'job-a', round: 1, status: 'completed', statusReason: undefined, endedAt: 3_000, reported: 1, failed: 0, metrics: {} }, modelVersion(1));
      await store.startRound(runningRound('job-a', 2, 4_000), ['c1']);
      await store.updateContribution('job-a', 2, 'c1', { bytesUp: 5 });
      await store.finishRound({ jobId: 'job-a', round: 2, status: 'failed', statusReason: 'too few updates', endedAt: 5_000, reported: 0, failed: 1, metrics: {} }, undefined);
      expect(await store.getRound('job-a', 2)).toMatchObject({ status: 'failed', statusReason: 'too few updates', modelVersion: undefined });
      expect(await store.getJob('job-a')).toMatchObject({ latestVersion: 1, bytesUp: 12, currentRound: 2 });
      expect((await store.listVersions('job-a')).map((v) => v.version)).toEqual([0, 1]);
    });

    it('replaces the metrics of a round', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), []);
      await store.updateRoundMetrics('job-a', 1, { trainLoss: 1 });
      await store.updateRoundMetrics('job-a', 1, { federatedAccuracy: 0.9 });
      expect((await store.getRound('job-a', 1))?.metrics).toEqual({ federatedAccuracy: 0.9 });
    });

    it('lists a job’s rounds by number and counts them by status', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      for (const round of [3, 1, 2]) await store.startRound(runningRound('job-a', round, 2_000 + round), []);
      await store.startRound(runningRound('job-b', 9, 2_000), []);
      await store.finishRound({ jobId: 'job-a', round: 1, status: 'completed', statusReason: undefined, endedAt: 3_000, reported: 0, failed: 0, metrics: {} }, undefined);
      expect((await store.listRounds('job-a')).map((r) => r.round)).toEqual([1, 2, 3]);
      expect(await store.countRounds('job-a', 'running')).toBe(2);
      expect(await store.countRounds('job-a', 'completed')).toBe(1);
      expect(await store.countRounds('job-a', 'failed')).toBe(0);
      expect(await store.getRound('job-a', 9)).toBeUndefined();
    });

    it('finds the newest round with a status and/or a metric, within the job', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      const finish = (round: number, status: 'completed' | 'failed', metrics: Record<string, number>) =>
        store.finishRound({ jobId: 'job-a', round, status, statusReason: undefined, endedAt: 3_000 + round, reported: 0, failed: 0, metrics }, undefined);
      for (const round of [1, 2, 3, 4]) await store.startRound(runningRound('job-a', round, 2_000 + round), []);
      await finish(1, 'completed', { federatedAccuracy: 0.5, epsilon: 1 });
      await finish(2, 'completed', { centralAccuracy: 0.7 });
      await finish(3, 'failed', { epsilon: 2 });
      await store.startRound(runningRound('job-b', 7, 2_000), []);
      await store.finishRound({ jobId: 'job-b', round: 7, status: 'completed', statusReason: undefined, endedAt: 3_000, reported: 0, failed: 0, metrics: { federatedAccuracy: 0.9 } }, undefined);

      expect((await store.latestRound('job-a', { status: 'completed' }))?.round).toBe(2);
      expect((await store.latestRound('job-a', { status: 'completed', metric: 'federatedAccuracy' }))?.round).toBe(1);
      expect((await store.latestRound('job-a', { metric: 'epsilon' }))?.round).toBe(3);
      expect((await store.latestRound('job-a', {}))?.round).toBe(4);
      expect(await store.latestRound('job-a', { status: 'failed', metric: 'centralAccuracy' })).toBeUndefined();
      expect(await store.latestRound('job-c', {})).toBeUndefined();
    });

    it('fails open rounds: interrupted with the code, selected and accepted dropped, others and finished rounds kept', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1']);
      await store.finishRound({ jobId: 'job-a', round: 1, status: 'completed', statusReason: undefined, endedAt: 2_500, reported: 1, failed: 0, metrics: {} }, undefined);
      await store.startRound(runningRound('job-a', 2, 3_000), ['c1', 'c2', 'c3']);
      await store.updateContribution('job-a', 2, 'c2', { status: 'accepted' });
      await store.updateContribution('job-a', 2, 'c3', { status: 'rejected', errorCode: 'UPDATE_TOO_LARGE' });
      await store.startRound(runningRound('job-b', 1, 3_000), ['c1']);

      expect(await store.failOpenRounds('job-a', 'coordinator restarted', 4_000, { interrupted: true, errorCode: 'ROUND_INTERRUPTED' })).toBe(1);
      expect(await store.getRound('job-a', 2)).toMatchObject({ status: 'failed', statusReason: 'coordinator restarted', endedAt: 4_000, interrupted: true });
      const kept = await store.getRound('job-a', 1);
      expect(kept).toMatchObject({ status: 'completed', endedAt: 2_500 });
      expect(kept?.interrupted ?? false).toBe(false);
      expect((await store.listContributions('job-a', 2)).map((c) => [c.clientId, c.status, c.errorCode])).toEqual([
        ['c1', 'dropped', 'ROUND_INTERRUPTED'],
        ['c2', 'dropped', 'ROUND_INTERRUPTED'],
        ['c3', 'rejected', 'UPDATE_TOO_LARGE'],
      ]);
      expect((await store.recentContributions(['c2'], 1)).get('c2')).toEqual([{ jobId: 'job-a', round: 2, status: 'dropped', at: 4_000 }]);
      expect((await store.getRound('job-b', 1))?.status).toBe('running');
      expect(await store.failOpenRounds('job-a', 'again', 5_000)).toBe(0);
    });

    it('fails open rounds without options: not interrupted, code ROUND_INTERRUPTED', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.startRound(runningRound('job-a', 1, 2_000), ['c1']);
      expect(await store.failOpenRounds('job-a', 'the job failed', 3_000, { errorCode: 'INTERNAL' })).toBe(1);
      expect((await store.listContributions('job-a', 1))[0]?.errorCode).toBe('INTERNAL');
      await store.startRound(runningRound('job-a', 2, 4_000), ['c1']);
      expect(await store.failOpenRounds('job-a', 'stopped', 5_000)).toBe(1);
      const round = await store.getRound('job-a', 2);
      expect(round).toMatchObject({ status: 'failed', statusReason: 'stopped' });
      expect(round?.interrupted ?? false).toBe(false);
      expect((await store.listContributions('job-a', 2))[0]?.errorCode).toBe('ROUND_INTERRUPTED');
    });
  });

  describe('model versions', () => {
    it('returns the weights byte for byte, also from a view into a larger buffer', async () => {
      const store = use();
      const { initial } = await addJob(store, 'job-a');
      const larger = weightBytes(5, 1_000);
      const view = larger.subarray(17, 17 + 513);
      await store.startRound(runningRound('job-a', 1, 2_000), []);
      await store.finishRound({ jobId: 'job-a', round: 1, status: 'completed', statusReason: undefined, endedAt: 3_000, reported: 0, failed: 0, metrics: {} }, modelVersion(1, { weights: view }));
      expect(bytesOf(await store.getVersionWeights('job-a', 0))).toEqual(bytesOf(initial.weights));
      expect(bytesOf(await store.getVersionWeights('job-a', 1))).toEqual(bytesOf(view));
      expect((await store.getVersion('job-a', 1))?.byteLength).toBe(513);
      expect(await store.getVersionWeights('job-a', 2)).toBeUndefined();
      expect(await store.getVersion('job-a', 2)).toBeUndefined();
    });

    it('keeps the latest version and the parent chain as rounds produce versions', async () => {
      const store = use();
      await addJob(store, 'job-a');
      for (const round of [1, 2]) {
        await store.startRound(runningRound('job-a', round, 2_000 + round), []);
        await store.finishRound({ jobId: 'job-a', round, status: 'completed', statusReason: undefined, endedAt: 3_000 + round, reported: 0, failed: 0, metrics: {} }, modelVersion(round));
        expect((await store.getJob('job-a'))?.latestVersion).toBe(round);
      }
      const versions = await store.listVersions('job-a');
      expect(versions.map((v) => [v.version, v.round, v.parentVersion])).toEqual([[0, undefined, undefined], [1, 1, 0], [2, 2, 1]]);
      expect(versions.every((v) => !('weights' in v))).toBe(true);
    });

    it('records the central evaluation of a version', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.setVersionEvaluation('job-a', 0, 0.875, 0.25);
      expect(await store.getVersion('job-a', 0)).toMatchObject({ centralAccuracy: 0.875, centralLoss: 0.25 });
    });
  });
};
