/** The SDK against a real in-process coordinator: register, train a round, predict locally, reconnect after a restart. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { loadMnist, loadMnistShard, selectExamples } from '@shoal/data';
import { ShoalClient } from './shoal-client.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-client-'));
const quiet = pino({ level: 'silent' });
let coordinator: Coordinator;
let url: string;
const clients: ShoalClient[] = [];

function waitFor<T>(client: ShoalClient, event: 'registered' | 'uploaded'): Promise<T> {
  return new Promise((resolve, reject) => {
    const onRefused = (refusal: { event: string; code: string; message: string }) => reject(new Error(`${refusal.event}: ${refusal.code} ${refusal.message}`));
    client.once('refused', onRefused);
    (client as unknown as { once(name: string, listener: (payload: unknown) => void): void }).once(event, (payload) => {
      client.off('refused', onRefused);
      resolve(payload as T);
    });
  });
}

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir: join(dir, 'coordinator'), logger: quiet, centralEvaluation: false });
  url = (await coordinator.start()).url;
  for (let i = 0; i < 2; i++) {
    const train = selectExamples(loadMnistShard({ partition: 'iid', shard: { index: i, count: 2 } }), Array.from({ length: 2000 }, (_, k) => k));
    clients.push(
      new ShoalClient({
        coordinatorUrl: url,
        name: `sdk-${i}`,
        train,
        stateDir: join(dir, `client-${i}`),
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 },
        seed: 1,
      }),
    );
  }
  const registered = clients.map((client) => waitFor(client, 'registered'));
  await Promise.all(clients.map((client) => client.start()));
  await Promise.all(registered);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ShoalClient', () => {
  it('keeps its identity in an owner-only state directory', () => {
    expect(clients[0]!.clientId).toMatch(/^c-/);
    expect(statSync(join(dir, 'client-0')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'client-0', 'state.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses predict before it holds a model', () => {
    expect(() => clients[0]!.predict(new Float32Array(784), 1)).toThrow(/no model yet/);
  });

  it('trains a round, uploads an int8 delta and then predicts with the global model', async () => {
    const uploads = clients.map((client) => waitFor<{ bytes: number; float32Bytes: number }>(client, 'uploaded'));
    const finished = new Promise<void>((resolve) => coordinator.events.once('round:finished', () => resolve()));
    const job = await coordinator.jobs.create({ name: 'sdk', model: { preset: 'mnist-2nn' }, rounds: 1, learningRate: 0.1 });
    const [upload] = await Promise.all(uploads);
    expect(upload!.bytes / upload!.float32Bytes).toBeLessThan(0.27);
    await finished;
    expect(coordinator.store.getJob(job.id)!.latestVersion).toBe(1);

    expect(await clients[0]!.refreshModel(job.id)).toBe(1);
    const test = loadMnist('test', { limit: 500 });
    const { classes } = clients[0]!.predict(test.features, test.count);
    const correct = classes.filter((label, i) => label === test.labels[i]).length;
    expect(correct / test.count).toBeGreaterThan(0.5);
    expect(() => clients[0]!.predict(new Float32Array(10), 1)).toThrow(/features/);
  });

  it('reconnects under the same id after the coordinator restarts', async () => {
    const id = clients[0]!.clientId;
    const port = Number(new URL(url).port);
    await coordinator.stop();
    const reRegistered = waitFor<{ clientId: string }>(clients[0]!, 'registered');
    coordinator = new Coordinator({ port, dataDir: join(dir, 'coordinator'), logger: quiet, centralEvaluation: false });
    await coordinator.start();
    expect((await reRegistered).clientId).toBe(id);
    expect(coordinator.registry.isOnline(id!)).toBe(true);
  });
});
