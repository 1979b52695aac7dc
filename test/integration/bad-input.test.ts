/**
 * Bad input at every boundary of a real coordinator (in process, port 0, real SQLite file): each refusal carries a
 * specific code to the sender, the coordinator keeps running, and the round's aggregate is exactly that of the good updates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import type { FitTask, JobView, NamedTensor, RoundView, TensorSpec, ContributionView } from '@shoal/protocol';
import { call, connectRaw, helloRaw, nextTask, type RawSocket } from '../support/raw-client.js';
import { downloadBytes, getJson, postJson, request, useBearerToken } from '../support/rest.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const dataDir = mkdtempSync(join(tmpdir(), 'shoal-bad-'));
let coordinator: Coordinator;
let url: string;
const ADMIN_TOKEN = 'bad-input-admin-token';
useBearerToken(ADMIN_TOKEN);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

function tensors(specs: readonly TensorSpec[], fill: (i: number) => number): NamedTensor[] {
  return specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    return { ...spec, values: Float32Array.from({ length: n }, (_, i) => fill(i)) };
  });
}

beforeAll(async () => {
  coordinator = new Coordinator({
    port: 0,
    dataDir,
    logger: pino({ level: 'silent' }),
    centralEvaluation: false,
    maxUpdateAttempts: 50,
    maxJsonBodyBytes: 64 * 1024,
    adminToken: ADMIN_TOKEN,
  });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('socket handshake and events', () => {
  it('refuses another protocol version at the handshake', async () => {
    const error = await connectRaw(url, { protocolVersion: 2 }).catch((e: Error & { data?: { code: string } }) => e);
    expect((error as Error & { data?: { code: string } }).data?.code).toBe('PROTOCOL_VERSION_MISMATCH');
  });

  it('refuses a handshake without auth', async () => {
    const error = await connectRaw(url, {}).catch((e: Error & { data?: { code: string } }) => e);
    expect((error as Error & { data?: { code: string } }).data?.code).toBe('VALIDATION_FAILED');
  });

  it('answers unknown events, events before hello and malformed payloads with codes', async () => {
    const socket = await connectRaw(url);
    try {
      expect((await call(socket, 'steal:weights', {})).error?.code).toBe('UNKNOWN_EVENT');
      const notice = new Promise<{ event: string; error: { code: string } }>((resolve) => socket.once('protocol:error', resolve));
      socket.emit('no:ack:event', 1);
      expect(await notice).toMatchObject({ event: 'no:ack:event', error: { code: 'UNKNOWN_EVENT' } });
      expect((await call(socket, 'heartbeat', { sentAt: Date.now() })).error?.code).toBe('NOT_REGISTERED');
      const badHello = await call(socket, 'hello', { name: 42, capabilities: { platform: 'x' }, extra: true });
      expect(badHello.error?.code).toBe('VALIDATION_FAILED');
      expect(badHello.error?.message).toMatch(/\/name must be string/);
      expect(badHello.error?.message).toMatch(/\/extra is not an allowed property/);
      await helloRaw(socket, 'ok-after-errors');
      expect((await call(socket, 'heartbeat', { sentAt: -5 })).error?.code).toBe('VALIDATION_FAILED');
      expect((await call(socket, 'heartbeat', { sentAt: Date.now() })).ok).toBe(true);
    } finally {
      socket.disconnect();
    }
  });
});

describe('a round under attack', () => {
  let a: RawSocket;
  let b: RawSocket;
  let intruder: RawSocket;
  let job: JobView;
  let taskA: FitTask;
  let taskB: FitTask;
  let specs: TensorSpec[];

  beforeAll(async () => {
    a = await connectRaw(url);
    b = await connectRaw(url);
    await helloRaw(a, 'honest-a', 100);
    await helloRaw(b, 'honest-b', 300);
    const tasks = Promise.all([nextTask(a), nextTask(b)]);
    const created = await postJson<JobView>(`${url}/api/v1/jobs`, { name: 'attacked', model: { preset: 'mnist-2nn' }, rounds: 2, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS }, admin);
    expect(created.status).toBe(201);
    job = created.body;
    [taskA, taskB] = await tasks;
    specs = (await getJson<{ tensors: TensorSpec[] }>(`${url}${taskA.modelUrl}`)).tensors;
    intruder = await connectRaw(url);
    await helloRaw(intruder, 'intruder');
  });

  afterAll(() => {
    for (const socket of [a, b, intruder]) socket.disconnect();
  });

  const meta = (task: FitTask, patch: Record<string, unknown> = {}) => ({
    taskId: task.taskId,
    jobId: task.jobId,
    round: task.round,
    modelVersion: task.modelVersion,
    numExamples: 100,
    durationMs: 5,
    metrics: { loss: 1 },
    ...patch,
  });
  const delta = (fill: (i: number) => number, codec = 'int8') => encodeFrame('delta', tensors(specs, fill), { id: codec });

  it('refuses every bad update with its code and leaves the round open', async () => {
    const good = delta(() => 0.01);
    const cases: [string, unknown[], string][] = [
      ['wrong job', [meta(taskA, { jobId: 'job-doesnotexist' }), good], 'UNKNOWN_JOB'],
      ['future round', [meta(taskA, { round: 7 }), good], 'WRONG_ROUND'],
      ['stale model version', [meta(taskA, { modelVersion: 3 }), good], 'WRONG_ROUND'],
      ['wrong types', [meta(taskA, { numExamples: 'many' }), good], 'VALIDATION_FAILED'],
      ['unknown field', [meta(taskA, { bonus: 1 }), good], 'VALIDATION_FAILED'],
      ['missing binary', [meta(taskA)], 'VALIDATION_FAILED'],
      ['other task id', [meta(taskA, { taskId: taskB.taskId }), good], 'VALIDATION_FAILED'],
      ['truncated frame', [meta(taskA), good.subarray(0, good.byteLength - 10)], 'FRAME_MALFORMED'],
      ['garbage', [meta(taskA), new Uint8Array(1000).fill(7)], 'FRAME_MALFORMED'],
      ['weights instead of delta', [meta(taskA), encodeFrame('weights', tensors(specs, () => 0), { id: 'int8' })], 'FRAME_MALFORMED'],
      ['codec other than the job', [meta(taskA), delta(() => 0.01, 'float32')], 'VALIDATION_FAILED'],
      ['wrong shape', [meta(taskA), encodeFrame('delta', tensors(specs.map((s, i) => (i === 0 ? { ...s, shape: [10, 10] } : s)), () => 0), { id: 'int8' })], 'SHAPE_MISMATCH'],
      ['missing tensor', [meta(taskA), encodeFrame('delta', tensors(specs.slice(1), () => 0), { id: 'int8' })], 'SHAPE_MISMATCH'],
      ['NaN values', [meta(taskA), nanFrame()], 'NON_FINITE_VALUES'],
      ['oversized', [meta(taskA), new Uint8Array(199_210 * 4 + 70_000)], 'PAYLOAD_TOO_LARGE'],
    ];
    function nanFrame(): Uint8Array {
      const frame = delta(() => 0.5);
      const header = new DataView(frame.buffer, frame.byteOffset).getUint32(8, true);
      new DataView(frame.buffer, frame.byteOffset).setFloat32(12 + header, Number.NaN, true); // the first tensor's int8 scale
      return frame;
    }
    for (const [what, args, code] of cases) {
      const reply = await call(a, 'fit:result', ...args);
      expect({ what, code: reply.error?.code }).toEqual({ what, code });
    }
    expect((await call(intruder, 'fit:result', meta(taskA), good)).error?.code).toBe('NOT_SELECTED');
    const round = await getJson<RoundView>(`${url}/api/v1/jobs/${job.id}/rounds/1`);
    expect(round).toMatchObject({ status: 'running', reported: 0 });
    expect((await getJson<{ status: string }>(`${url}/healthz`)).status).toBe('ok');
  });

  it('aggregates exactly the good updates and refuses duplicates and late ones', async () => {
    const frameA = delta((i) => ((i % 13) - 6) * 0.01);
    const frameB = delta((i) => ((i % 7) - 3) * 0.02);
    expect((await call(a, 'fit:result', meta(taskA, { numExamples: 100 }), frameA)).ok).toBe(true);
    expect((await call(a, 'fit:result', meta(taskA, { numExamples: 100 }), frameA)).error?.code).toBe('DUPLICATE_UPDATE');
    const finished = new Promise<void>((resolve) => coordinator.events.once('round:finished', () => resolve()));
    expect((await call(b, 'fit:result', meta(taskB, { numExamples: 300 }), frameB)).ok).toBe(true);
    await finished;
    expect((await call(b, 'fit:result', meta(taskB, { numExamples: 300 }), frameB)).error?.code).toBe('DUPLICATE_UPDATE');
    expect((await call(intruder, 'fit:result', meta(taskB), frameB)).error?.code).toBe('LATE_UPDATE');

    const base = decodeFrame(await downloadBytes(`${url}/api/v1/jobs/${job.id}/models/0/weights`)).tensors;
    const result = decodeFrame(await downloadBytes(`${url}/api/v1/jobs/${job.id}/models/1/weights`)).tensors;
    const dA = decodeFrame(frameA).tensors;
    const dB = decodeFrame(frameB).tensors;
    let maxError = 0;
    result.forEach((tensor, t) => {
      tensor.values.forEach((value, i) => {
        const expected = base[t]!.values[i]! + (100 * dA[t]!.values[i]! + 300 * dB[t]!.values[i]!) / 400;
        maxError = Math.max(maxError, Math.abs(value - expected));
      });
    });
    expect(maxError).toBeLessThan(1e-6);

    const contributions = (await getJson<{ items: ContributionView[] }>(`${url}/api/v1/jobs/${job.id}/rounds/1/contributions`)).items;
    expect(contributions.map((c) => [c.status, c.numExamples])).toEqual(
      expect.arrayContaining([['accepted', 100], ['accepted', 300]]),
    );
    const stopped = await postJson<JobView>(`${url}/api/v1/jobs/${job.id}/stop`, {}, admin);
    expect([stopped.status, stopped.body.status, stopped.body.latestModelVersion]).toEqual([200, 'stopped', 1]);
    const round2 = await getJson<RoundView>(`${url}/api/v1/jobs/${job.id}/rounds/2`);
    expect([round2.status, round2.statusReason]).toEqual(['failed', 'job stopped']);
    expect((await call(a, 'fit:result', meta(taskA, { round: 2, modelVersion: 1 }), frameA)).error?.code).toBe('LATE_UPDATE');
    expect((await postJson<{ error: { code: string } }>(`${url}/api/v1/jobs/${job.id}/stop`, {}, admin)).body.error.code).toBe('CONFLICT');
  });
});

describe('REST boundary', () => {
  it('answers bad bodies and paths with codes and creates nothing', async () => {
    const before = (await getJson<{ items: unknown[] }>(`${url}/api/v1/jobs`)).items.length;
    const notJson = await request<{ error: { code: string } }>(`${url}/api/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: '{"name": ' });
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    const wrongType = await postJson<{ error: { code: string; message: string } }>(`${url}/api/v1/jobs`, { name: 'x', model: { preset: 'mnist-2nn' }, rounds: 'ten' }, admin);
    expect([wrongType.status, wrongType.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(wrongType.body.error.message).toMatch(/\/rounds must be integer/);
    const unknownCodec = await postJson<{ error: { code: string; message: string } }>(`${url}/api/v1/jobs`, { name: 'x', model: { preset: 'mnist-2nn' }, rounds: 1, uploadCodec: { id: 'zip' } }, admin);
    expect([unknownCodec.status, unknownCodec.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(unknownCodec.body.error.message).toMatch(/uploadCodec/);
    const quorum = await postJson<{ error: { code: string; message: string } }>(`${url}/api/v1/jobs`, { name: 'x', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 5, minAvailableClients: 2 }, admin);
    expect(quorum.body.error.message).toMatch(/minAvailableClients/);
    const badTopology = await postJson<{ error: { code: string } }>(`${url}/api/v1/jobs`, { name: 'x', model: { topology: { class_name: 'Nope' } }, rounds: 1 }, admin);
    expect([badTopology.status, badTopology.body.error.code]).toEqual([400, 'UNSUPPORTED_MODEL']);
    const huge = await postJson<{ error: { code: string } }>(`${url}/api/v1/jobs`, { name: 'x', model: { preset: 'mnist-2nn' }, rounds: 1, initialWeights: 'A'.repeat(100_000) }, admin);
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const badWeights = await postJson<{ error: { code: string; message: string } }>(`${url}/api/v1/jobs`, { name: 'x', model: { preset: 'mnist-2nn' }, rounds: 1, initialWeights: 'AAAA' }, admin);
    expect([badWeights.status, badWeights.body.error.code]).toEqual([400, 'FRAME_MALFORMED']);
    expect(badWeights.body.error.message).toMatch(/^initialWeights:/);
    expect((await request<{ error: { code: string } }>(`${url}/api/v1/jobs/job-missing`)).status).toBe(404);
    expect((await request<{ error: { code: string } }>(`${url}/api/v1/jobs/job-missing/rounds/x`)).body.error.code).toBe('NOT_FOUND');
    expect((await request<{ error: { code: string } }>(`${url}/api/v1/nothing-here`)).body.error.code).toBe('NOT_FOUND');
    expect((await getJson<{ items: unknown[] }>(`${url}/api/v1/jobs`)).items.length).toBe(before);
  });
});
