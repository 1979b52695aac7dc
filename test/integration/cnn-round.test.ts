/** A round of the McMahan CNN (1,663,370 parameters) trains on this machine's default tfjs backend with no missing kernel. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import type { ShoalClient } from '@shoal/client';
import { activeBackend } from '@shoal/ml';
import { startSdkFleet } from '../support/sdk-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-cnn-'));
const coordinator = new Coordinator({ port: 0, dataDir: dir, logger: pino({ level: 'silent' }), centralEvaluation: false });
const clients: ShoalClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('CNN round', () => {
  it('trains one FedAvg round of the CNN on the default backend and stores version 1', async () => {
    const { url } = await coordinator.start();
    const refusals: string[] = [];
    clients.push(
      ...(await startSdkFleet(url, {
        count: 2,
        examplesPerClient: 160,
        namePrefix: 'cnn',
        prepare: (client) => client.on('refused', (r) => refusals.push(`${r.event} ${r.code} ${r.message}`)),
      })),
    );
    const finished = new Promise<{ status: string; modelVersion: number | undefined }>((resolve) => coordinator.events.once('round:finished', resolve));
    await coordinator.jobs.create({ name: 'cnn', model: { preset: 'mnist-cnn' }, rounds: 1, batchSize: 16, learningRate: 0.05, roundDeadlineMs: ROUND_DEADLINE_MS });
    const round = await finished;

    expect(refusals).toEqual([]);
    expect(activeBackend()).toBe(process.env['SHOAL_BACKEND'] ?? 'wasm');
    expect(round).toMatchObject({ status: 'completed', modelVersion: 1 });
  });
});
