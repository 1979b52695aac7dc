import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PROTOCOL_VERSION, ShoalError, type FitTask } from '@shoal/protocol';
import { encodeFrame } from '@shoal/codec';
import { CoordinatorCore } from '../coordinator-core.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { MemoryFleetLink } from './memory-fleet.js';

type Reply = { ok: boolean; error?: { code: string; message: string }; [key: string]: unknown };

let core: CoordinatorCore;

function connect(auth: unknown = { protocolVersion: PROTOCOL_VERSION }) {
  const received: { event: string; payload: unknown }[] = [];
  const closed: string[] = [];
  const link = core.memoryFleet().connect(auth, { event: (event, payload) => received.push({ event, payload }), disconnected: (reason) => closed.push(reason) });
  return { link, received, closed };
}

function call(link: MemoryFleetLink, event: string, ...args: unknown[]): Promise<Reply> {
  return new Promise((resolve) => link.emit(event, ...args, resolve));
}

const hello = (name: string) => ({ name, capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 10, numEvalExamples: 0 } });

beforeAll(async () => {
  core = new CoordinatorCore({ store: new SqliteStore(':memory:'), centralEvaluation: false, logger: pino({ level: 'silent' }) });
  await core.initBackend();
});

afterAll(() => core.stop());

describe('the in-memory fleet', () => {
  it('refuses another protocol version at the handshake', () => {
    let error: unknown;
    try {
      connect({ protocolVersion: 2 });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ShoalError);
    expect((error as ShoalError).code).toBe('PROTOCOL_VERSION_MISMATCH');
  });

  it('validates every event like the socket gateway, answering refusals with codes', async () => {
    const { link, received } = connect();

    expect((await call(link, 'steal:weights', {})).error?.code).toBe('UNKNOWN_EVENT');
    expect((await call(link, 'heartbeat', { sentAt: Date.now() })).error?.code).toBe('NOT_REGISTERED');
    const bad = await call(link, 'hello', { name: 42, capabilities: { platform: 'x' } });
    expect(bad.error?.code).toBe('VALIDATION_FAILED');
    expect(bad.error?.message).toMatch(/\/name must be string/);
    link.emit('no:ack', 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([{ event: 'protocol:error', payload: { event: 'no:ack', error: expect.objectContaining({ code: 'UNKNOWN_EVENT' }) } }]);
    link.disconnect();
  });

  it('registers on hello, and takes the client offline when it disconnects', async () => {
    const { link } = connect();
    const reply = await call(link, 'hello', { clientId: 'mem-1', ...hello('mem-1') });
    const offline = new Promise((resolve) => core.events.once('client:offline', resolve));

    expect(reply).toMatchObject({ ok: true, clientId: 'mem-1', protocolVersion: PROTOCOL_VERSION });
    expect(core.registry.isOnline('mem-1')).toBe(true);
    link.disconnect();
    expect(await offline).toEqual({ clientId: 'mem-1' });
    expect(core.registry.isOnline('mem-1')).toBe(false);
  });

  it('runs a round: a task goes out, a delta frame comes back and becomes the next model version', async () => {
    const { link, received } = connect();
    await call(link, 'hello', { clientId: 'mem-2', ...hello('mem-2') });
    const job = await core.jobs.create({ name: 'memory round', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 1 });
    const done = new Promise((resolve) => core.events.on('job:status', (change) => change.jobId === job.id && change.status === 'completed' && resolve(change)));
    while (!received.some((message) => message.event === 'fit:task')) await new Promise((resolve) => setImmediate(resolve));
    const task = received.find((message) => message.event === 'fit:task')!.payload as FitTask;
    const weights = core.downloadWeights(job.id, task.modelVersion, { taskId: task.taskId });
    const delta = encodeFrame('delta', job.tensorSpecs.map((spec) => ({ ...spec, values: new Float32Array(spec.shape.reduce((a, b) => a * b, 1)).fill(0.01) })), { id: 'int8' });

    const reply = await call(link, 'fit:result', { taskId: task.taskId, jobId: job.id, round: 1, modelVersion: 0, numExamples: 10, durationMs: 1, metrics: { loss: 1 } }, delta);
    await done;

    expect(reply).toEqual({ ok: true });
    expect(core.store.getJob(job.id)!.latestVersion).toBe(1);
    expect(core.store.listContributions(job.id, 1)[0]).toMatchObject({ status: 'accepted', bytesDown: weights.byteLength, bytesUp: delta.byteLength });
    link.disconnect();
  });
});
