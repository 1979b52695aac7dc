/**
 * One bad device cannot ruin a job: a real coordinator (in process, port 0, real SQLite), two real agent processes
 * training on MNIST, and a raw protocol client that attacks. It claims 10^9 examples (its weight stays what it
 * declared at hello), then uploads an int8 update whose values reach ±3e38 (refused before it touches the sum);
 * the model stays useful and the job completes. A round left open by an earlier process never stays 'running'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import { createRandom } from '@shoal/codec/testing';
import type { FitTask } from '@shoal/protocol';
import type { JobRecord } from '@shoal/server';
import { AGENT_BIN, startProgram, type Started } from '../../apps/demo/src/processes.js';
import { call, connectRaw, helloRaw, type RawSocket } from '../support/raw-client.js';
import { eventually, useBearerToken } from '../support/rest.js';
import { meta, tensors } from '../support/raw-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const ADMIN_TOKEN = 'trustworthy-admin-token';
const DECLARED = 100;
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-trust-'));
let coordinator: Coordinator;
let url: string;
const agents: Started[] = [];
let attacker: RawSocket;
let attackerId: string;
useBearerToken(ADMIN_TOKEN);

const startCoordinator = async () => {
  coordinator = new Coordinator({ port: 0, dataDir: join(dataDir, 'coordinator'), logger: pino({ level: 'silent' }), adminToken: ADMIN_TOKEN });
  url = (await coordinator.start()).url;
};

beforeAll(async () => {
  await startCoordinator();
  for (let i = 0; i < 2; i++) {
    const args = ['--coordinator', url, '--shard', `${i}/2`, '--max-examples', '1000', '--state-dir', join(dataDir, `agent-${i}`), '--name', `agent-${i}`];
    agents.push(startProgram(AGENT_BIN, args, join(dataDir, `agent-${i}.log`)));
  }
  attacker = await connectRaw(url);
  attackerId = await helloRaw(attacker, 'attacker', DECLARED);
  await eventually(async () => (coordinator.registry.size() === 3 ? true : undefined), 'the agents and the attacker to register');
});

afterAll(async () => {
  attacker?.disconnect();
  await Promise.all(agents.map((agent) => agent.stop()));
  await coordinator?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Answers every fit task of `jobId` with `answer`, until the job ends. */
function attack(jobId: string, answer: (task: FitTask, job: JobRecord) => Promise<void>): void {
  const onTask = (task: FitTask) => {
    if (task.jobId !== jobId) return;
    void answer(task, coordinator.store.getJob(jobId)!);
  };
  attacker.on('fit:task', onTask);
  coordinator.events.on('job:status', function off(change) {
    if (change.jobId === jobId && change.status !== 'running') {
      attacker.off('fit:task', onTask);
      coordinator.events.off('job:status', off);
    }
  });
}

const finished = (jobId: string) => eventually(async () => (coordinator.store.getJob(jobId)!.status === 'running' ? undefined : coordinator.store.getJob(jobId)!), `job ${jobId} to end`);
const job = (name: string) => coordinator.jobs.create({
  name, model: { preset: 'mnist-2nn' }, rounds: 3, minFitClients: 2, minAvailableClients: 3, learningRate: 0.1, batchSize: 20, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'int8' },
  evaluation: { dataset: 'mnist-test', limit: 1000 },
});

describe('one bad device among three', () => {
  it('claims 10^9 examples with a random update: it weighs what it declared at hello, and the model stays useful', async () => {
    const created = await job('inflated');
    const replies: (string | undefined)[] = [];
    attack(created.id, async (task, record) => {
      const noise = createRandom(task.round);
      const frame = encodeFrame('delta', tensors(record.tensorSpecs, () => (noise.next() - 0.5) * 0.1), { id: 'int8' });
      const reply = await call(attacker, 'fit:result', { ...meta(task, 1e9) }, frame);
      replies.push(reply.ok ? 'ok' : reply.error?.code);
    });

    const ended = await finished(created.id);
    const rounds = coordinator.store.listRounds(created.id);
    expect(ended.status).toBe('completed');
    expect(replies).toEqual(['ok', 'ok', 'ok']);
    expect(rounds.map((round) => round.status)).toEqual(['completed', 'completed', 'completed']);
    // Weighted by 10^9 the noise would own the model (chance, 10%); capped at 100 of 2,100 examples it barely moves it.
    expect(rounds.at(-1)!.metrics.centralAccuracy!).toBeGreaterThan(0.8);
    for (const round of rounds) {
      const mine = coordinator.store.listContributions(created.id, round.round).find((c) => c.clientId === attackerId)!;
      expect(mine).toMatchObject({ status: 'accepted', numExamples: 1e9, weight: DECLARED });
      expect(mine.updateNorm).toBeGreaterThan(0);
      // Its noise is far from what the agents sent: the round flags it.
      expect(mine.outlier).toBe(true);
      expect(round.metrics.outliers).toBe(1);
    }
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/shoal_outlier_updates_total [3-9]/);
  });

  it('uploads int8 values of ±3e38: refused with UPDATE_OUT_OF_BOUNDS before the sum, and every round completes without it', async () => {
    const created = await job('overflow');
    const codes: (string | undefined)[] = [];
    attack(created.id, async (task, record) => {
      const frame = encodeFrame('delta', tensors(record.tensorSpecs, (i) => (i % 2 === 0 ? 3e38 : -3e38)), { id: 'int8' });
      expect(decodeFrame(frame).tensors[0]!.values.every(Number.isFinite)).toBe(true);
      const reply = await call(attacker, 'fit:result', meta(task, DECLARED), frame);
      codes.push(reply.error?.code);
      // It gives up on the round, so the round closes on the agents' updates.
      await call(attacker, 'fit:failure', { taskId: task.taskId, jobId: task.jobId, round: task.round, error: { code: 'INTERNAL', message: 'gave up' } });
    });

    const ended = await finished(created.id);
    const rounds = coordinator.store.listRounds(created.id);
    expect(ended.status).toBe('completed');
    expect(codes).toEqual(['UPDATE_OUT_OF_BOUNDS', 'UPDATE_OUT_OF_BOUNDS', 'UPDATE_OUT_OF_BOUNDS']);
    expect(rounds.map((round) => [round.status, round.reported])).toEqual([['completed', 2], ['completed', 2], ['completed', 2]]);
    const weights = decodeFrame(coordinator.store.getVersionWeights(created.id, ended.latestVersion)!).tensors;
    expect(weights.every((tensor) => tensor.values.every(Number.isFinite))).toBe(true);
    expect(rounds.at(-1)!.metrics.centralAccuracy!).toBeGreaterThan(0.8);
    const refused = coordinator.store.listContributions(created.id, 1).find((c) => c.clientId === attackerId)!;
    expect(refused).toMatchObject({ status: 'failed' });
  });

  it('leaves no round running after a restart, even of a job that had already failed', async () => {
    const created = await coordinator.jobs.create({ name: 'stuck', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 50 });
    await coordinator.jobs.stop(created.id);
    // What an earlier process could leave behind: a failed job whose round still says 'running'.
    coordinator.store.startRound({ jobId: created.id, round: 1, status: 'running', statusReason: undefined, startedAt: 1, endedAt: undefined, deadlineAt: 2, selected: 1, reported: 0, failed: 0, modelVersion: undefined, metrics: {} }, [attackerId]);
    coordinator.store.setJobStatus(created.id, 'failed', 'simulated crash', 3);
    attacker.disconnect();
    await Promise.all(agents.map((agent) => agent.stop()));
    await coordinator.stop();

    await startCoordinator();
    const round = coordinator.store.getRound(created.id, 1)!;
    expect(round.status).toBe('failed');
    expect(round).toMatchObject({ statusReason: 'coordinator restarted during the round, after its job had ended', interrupted: true });
    expect(coordinator.store.listContributions(created.id, 1)[0]).toMatchObject({ status: 'dropped', errorCode: 'ROUND_INTERRUPTED' });
    expect(coordinator.store.getJob(created.id)!.status).toBe('failed');
  });
});
