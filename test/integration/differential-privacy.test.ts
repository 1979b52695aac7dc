/**
 * DP jobs end to end through a real coordinator (in process, real SQLite file) and real SDK clients training on MNIST:
 * validation of the settings, ε per round in the REST view, the budget stopping the job, and client-side noise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import type { ShoalClient } from '@shoal/client';
import { RdpAccountant } from '@shoal/privacy';
import { ShoalError, type FitTask, type PrivacySettings } from '@shoal/protocol';
import { startSdkFleet } from '../support/sdk-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-dp-'));
const coordinator = new Coordinator({ port: 0, dataDir: dir, logger: pino({ level: 'silent' }), centralEvaluation: false });
const clients: ShoalClient[] = [];
const tasks: FitTask[] = [];
const CLIENTS = 4;

const privacy = (overrides: Partial<PrivacySettings> = {}): PrivacySettings => ({
  mode: 'central',
  noiseMultiplier: 1,
  clipping: { clipNorm: 1 },
  samplingRate: 1,
  accountant: { kind: 'rdp', delta: 1e-3, populationSize: CLIENTS },
  ...overrides,
});

async function finished(jobId: string): Promise<string> {
  for (;;) {
    const job = coordinator.store.getJob(jobId)!;
    if (job.status !== 'running') return job.status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const { url } = await coordinator.start();
  clients.push(...(await startSdkFleet(url, { count: CLIENTS, examplesPerClient: 300, namePrefix: 'dp', prepare: (client) => client.on('task:fit', (task) => tasks.push(task)) })));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('DP settings validation', () => {
  const create = (p: unknown) => coordinator.jobs.create({ name: 'dp', model: { preset: 'mnist-2nn' }, rounds: 1, privacy: p });
  const refusal = async (p: unknown) => {
    const error = await create(p).then(() => undefined, (e: unknown) => e as ShoalError);
    expect(error).toBeInstanceOf(ShoalError);
    return `${error!.code} ${error!.message}`;
  };

  it('names the field of each bad setting', async () => {
    expect(await refusal(privacy({ noiseMultiplier: -1 }))).toMatch(/VALIDATION_FAILED .*\/privacy\/noiseMultiplier must be >= 0/);
    expect(await refusal(privacy({ clipping: { clipNorm: 0 } }))).toMatch(/\/privacy\/clipping\/clipNorm must be > 0/);
    expect(await refusal(privacy({ accountant: { kind: 'rdp', delta: 1, populationSize: 10 } }))).toMatch(/\/privacy\/accountant\/delta must be < 1/);
    expect(await refusal(privacy({ accountant: { kind: 'rdp', delta: 0, populationSize: 10 } }))).toMatch(/\/privacy\/accountant\/delta must be > 0/);
    expect(await refusal(privacy({ accountant: { kind: 'rdp', delta: 0.05, populationSize: 10 } }))).toMatch(/\/privacy\/accountant\/delta .*well below 1\/populationSize/);
    expect(await refusal(privacy({ samplingRate: 0 }))).toMatch(/\/privacy\/samplingRate must be > 0/);
    expect(await refusal(privacy({ samplingRate: 1.5 }))).toMatch(/\/privacy\/samplingRate must be <= 1/);
    const { accountant: _omitted, ...withoutAccountant } = privacy();
    expect(await refusal(withoutAccountant)).toMatch(/\/privacy\/accountant is required/);
    expect(await refusal(privacy({ clipping: { clipNorm: 1, adaptive: { targetQuantile: 0.5, clippedCountStddev: 0.1 } } }))).toMatch(/clippedCountStddev/);
    expect(coordinator.store.listJobs()).toHaveLength(0);
  });
});

describe('DP jobs', () => {
  it('reports ε every round and ends the job before the budget is overspent', async () => {
    const mechanism = { samplingRate: 1, noiseMultiplier: 1 };
    const budget = (RdpAccountant.epsilonAfter(mechanism, 2, 1e-3) + RdpAccountant.epsilonAfter(mechanism, 3, 1e-3)) / 2;
    const job = await coordinator.jobs.create({
      name: 'dp-central', model: { preset: 'mnist-2nn' }, rounds: 10, minFitClients: CLIENTS, learningRate: 0.1, roundDeadlineMs: ROUND_DEADLINE_MS,
      privacy: privacy({ accountant: { kind: 'rdp', delta: 1e-3, populationSize: CLIENTS, epsilonBudget: budget } }),
    });
    expect(await finished(job.id)).toBe('budget_exhausted');
    const rounds = coordinator.store.listRounds(job.id);
    expect(rounds.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(rounds[0]!.metrics.epsilon).toBeCloseTo(RdpAccountant.epsilonAfter(mechanism, 1, 1e-3), 10);
    expect(rounds[1]!.metrics.epsilon).toBeCloseTo(RdpAccountant.epsilonAfter(mechanism, 2, 1e-3), 10);
    expect(rounds[1]!.metrics).toMatchObject({ clipNorm: 1, noiseStddev: 1, participants: CLIENTS });
    const ended = coordinator.store.getJob(job.id)!;
    expect(ended.statusReason).toMatch(/privacy budget exhausted: round 3 would spend ε = .* > ε_max/);
    expect(ended.latestVersion).toBe(2);
  });

  it('in client mode sends clip norm and noise share to every client and completes', async () => {
    tasks.length = 0;
    const job = await coordinator.jobs.create({
      name: 'dp-client', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 2, learningRate: 0.1, roundDeadlineMs: ROUND_DEADLINE_MS,
      privacy: privacy({ mode: 'client', noiseMultiplier: 0.8, clipping: { clipNorm: 0.5 } }),
    });
    expect(await finished(job.id)).toBe('completed');
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    for (const task of tasks) expect(task.config.privacy).toEqual({ clipNorm: 0.5, noiseStddev: (0.8 * 0.5) / Math.sqrt(2) });
    const [round] = coordinator.store.listRounds(job.id);
    expect(round!.status).toBe('completed');
    expect(round!.metrics.epsilon).toBeCloseTo(RdpAccountant.epsilonAfter({ samplingRate: 1, noiseMultiplier: 0.8 }, 1, 1e-3), 10);
  });
});
