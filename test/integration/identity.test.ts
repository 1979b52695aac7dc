/**
 * Identity end to end on a real coordinator (random port, real SQLite): API tokens with roles (401/403), device
 * enrolment with join tokens, key proofs at hello, device REST credentials, signed uploads (unsigned, forged,
 * replayed, stale and revoked updates refused with codes and never aggregated), and revocation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import nacl from 'tweetnacl';
import { Coordinator, type JobRecord } from '@shoal/server';
import { CoordinatorHttp, DeviceCredentials } from '@shoal/client';
import { PROTOCOL_VERSION, parseMessage, type FitTask } from '@shoal/protocol';
import { decodeFrame, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { call, connectRaw, nextTask, type RawSocket } from '../support/raw-client.js';
import { meta, tensors } from '../support/raw-fleet.js';
import { eventually, postJson, request, useBearerToken } from '../support/rest.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const ADMIN_TOKEN = 'identity-test-admin-token';
useBearerToken(ADMIN_TOKEN);
const codecs = defaultCodecRegistry();
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-identity-'));
let coordinator: Coordinator;
let url: string;
const sockets: RawSocket[] = [];

const anonymous = { authorization: '' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const capabilities = { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 100, numEvalExamples: 0 };

async function joinToken(uses: number, ttlMs = 600_000): Promise<string> {
  const reply = await postJson<{ token: string }>(`${url}/api/v1/join-tokens`, { uses, ttlMs, labels: ['lab'] });
  expect(reply.status).toBe(201);
  return reply.body.token;
}

/** A device with its own key, enrolled through the public REST route (as the SDK does it). */
async function enrolledDevice(token: string, name: string): Promise<{ credentials: DeviceCredentials; clientId: string }> {
  const credentials = new DeviceCredentials(nacl.sign.keyPair());
  const device = await credentials.enrol(new CoordinatorHttp(url), token, name);
  return { credentials, clientId: device.clientId };
}

async function connectAs(clientId: string | undefined, identity?: unknown): Promise<{ socket: RawSocket; reply: Awaited<ReturnType<typeof call>> }> {
  const socket = await connectRaw(url, { protocolVersion: PROTOCOL_VERSION });
  sockets.push(socket);
  const reply = await call(socket, 'hello', { ...(clientId === undefined ? {} : { clientId }), name: clientId ?? 'anonymous', capabilities, ...(identity === undefined ? {} : { identity }) });
  return { socket, reply };
}

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN, maxUpdateAttempts: 20 });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('API tokens and roles', () => {
  it('lets a viewer read but not act, keeps token management to admins, and revokes tokens', async () => {
    const created = await postJson<{ id: string; token: string; role: string }>(`${url}/api/v1/tokens`, { name: 'dashboards', role: 'viewer' });
    expect([created.status, created.body.role]).toEqual([201, 'viewer']);
    const viewer = bearer(created.body.token);
    expect((await request(`${url}/api/v1/jobs`, { headers: viewer })).status).toBe(200);
    expect((await request(`${url}/api/v1/devices`, { headers: viewer })).status).toBe(200);
    for (const [method, path] of [['POST', '/jobs'], ['POST', '/tokens'], ['GET', '/tokens'], ['GET', '/join-tokens'], ['POST', '/join-tokens'], ['DELETE', `/tokens/${created.body.id}`]] as const) {
      const reply = await request<{ error: { code: string } }>(`${url}/api/v1${path}`, { method, headers: { ...viewer, 'content-type': 'application/json' }, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      expect([reply.status, reply.body.error.code], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
    }
    const session = await postJson<{ role: string }>(`${url}/api/v1/session`, { token: created.body.token }, anonymous);
    expect([session.status, session.body.role]).toEqual([201, 'viewer']);
    expect((await postJson(`${url}/api/v1/tokens`, { name: 'x', role: 'admin' }, anonymous)).status).toBe(401);
    expect((await postJson<{ error: { code: string } }>(`${url}/api/v1/tokens`, { name: 'x', role: 'root' })).body.error.code).toBe('VALIDATION_FAILED');

    const listed = (await request<{ items: { id: string; token?: string }[] }>(`${url}/api/v1/tokens`)).body.items;
    expect(listed.map((t) => t.id)).toContain(created.body.id);
    expect(listed.every((t) => t.token === undefined)).toBe(true);
    for (const item of listed) parseMessage('api-token', item);
    expect((await request<{ revokedAt: number }>(`${url}/api/v1/tokens/${created.body.id}`, { method: 'DELETE' })).body.revokedAt).toBeTypeOf('number');
    expect((await request(`${url}/api/v1/jobs`, { headers: viewer })).status).toBe(401);
    expect((await request<{ error: { code: string } }>(`${url}/api/v1/tokens/${coordinator.auth.tokenId}`, { method: 'DELETE' })).body.error.code).toBe('CONFLICT');

    const audit = (await request<{ items: { action: string; outcome: string; errorCode?: string }[] }>(`${url}/api/v1/audit?limit=50`)).body.items;
    expect(audit.some((e) => e.action === 'token.create' && e.outcome === 'success')).toBe(true);
    expect(audit.some((e) => e.action === 'token.revoke' && e.outcome === 'success')).toBe(true);
    expect(audit.some((e) => e.outcome === 'failure' && e.errorCode === 'FORBIDDEN')).toBe(true);
  });
});

describe('device enrolment and hello proofs', () => {
  it('enrols with a join token until it is used up, and refuses bad signatures and tokens', async () => {
    const token = await joinToken(1);
    const forger = new DeviceCredentials(nacl.sign.keyPair());
    const stolenKey = new DeviceCredentials(nacl.sign.keyPair());
    const forged = await request<{ error: { code: string } }>(`${url}/api/v1/devices`, {
      method: 'POST',
      headers: { ...anonymous, 'content-type': 'application/json' },
      // Signed by one key, claiming another: the enrollee must hold the key it registers.
      body: JSON.stringify({ joinToken: token, publicKey: stolenKey.publicKey, signature: forger.helloProof('x').signature, name: 'forged' }),
    });
    expect(forged.body.error.code).toBe('SIGNATURE_INVALID');
    const device = await enrolledDevice(token, 'first');
    expect(device.clientId).toMatch(/^d-[0-9a-f]{12}$/);
    await expect(enrolledDevice(token, 'second')).rejects.toMatchObject({ code: 'JOIN_TOKEN_INVALID' });
    await expect(enrolledDevice(`${token}x`, 'third')).rejects.toMatchObject({ code: 'JOIN_TOKEN_INVALID' });
    const expiring = await joinToken(5, 1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(enrolledDevice(expiring, 'late')).rejects.toMatchObject({ code: 'JOIN_TOKEN_INVALID' });
    const bad = await postJson<{ error: { code: string } }>(`${url}/api/v1/devices`, { joinToken: token, publicKey: 'nope' }, anonymous);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('requires the key proof of an enrolled device at hello, refuses stale and replayed proofs, and hands out a download-only credential', async () => {
    const { credentials, clientId } = await enrolledDevice(await joinToken(1), 'prover');
    expect((await connectAs(clientId)).reply.error?.code).toBe('UNAUTHENTICATED');
    expect((await connectAs(clientId, credentials.helloProof(clientId, Date.now() - 10 * 60_000))).reply.error?.code).toBe('SIGNATURE_INVALID');
    const impostor = new DeviceCredentials(nacl.sign.keyPair());
    expect((await connectAs(clientId, impostor.helloProof(clientId))).reply.error?.code).toBe('DEVICE_NOT_ENROLLED');
    const proof = credentials.helloProof(clientId);
    const { reply } = await connectAs(clientId, proof);
    expect(reply).toMatchObject({ ok: true, clientId, enrolled: true });
    expect((await connectAs(clientId, proof)).reply.error?.code).toBe('SIGNATURE_INVALID');

    const job = await coordinator.jobs.create({ name: 'reads', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 50 });
    const device = bearer(String(reply['accessToken']));
    expect((await request(`${url}/api/v1/jobs/${job.id}/model.json`, { headers: device })).status).toBe(200);
    expect((await request(`${url}/api/v1/jobs/${job.id}`, { headers: device })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/jobs/${job.id}/models/0/weights`, { headers: device })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/jobs/${job.id}/models/0/weights`)).status).toBe(401);
    for (const path of ['/jobs', '/clients', '/devices', '/audit']) expect((await request(`${url}/api/v1${path}`, { headers: device })).status, path).toBe(403);
    expect((await postJson(`${url}/api/v1/jobs/${job.id}/stop`, {}, device)).status).toBe(403);
    // The join token's labels are the device's (an administrator's cohort assignment).
    expect((await request<{ capabilities: { labels?: string[] } }>(`${url}/api/v1/clients/${clientId}`)).body.capabilities.labels).toEqual(['lab']);
    await coordinator.jobs.stop(job.id);
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
});

describe('signed uploads', () => {
  let job: JobRecord;
  let devices: { credentials: DeviceCredentials; clientId: string; socket: RawSocket; accessToken: string }[];
  let plain: RawSocket;
  /** Listened for before round 1 closes, since round 2's tasks follow at once. */
  let round2Tasks: Promise<FitTask[]>;

  beforeAll(async () => {
    const token = await joinToken(2);
    devices = [];
    for (const name of ['signer-a', 'signer-b']) {
      const device = await enrolledDevice(token, name);
      const { socket, reply } = await connectAs(device.clientId, device.credentials.helloProof(device.clientId));
      devices.push({ ...device, socket, accessToken: String(reply['accessToken']) });
    }
    plain = (await connectAs(undefined)).socket;
  });

  const frameFor = (round: number, c: number) => encodeFrame('delta', tensors(job.tensorSpecs, (i, t) => 0.001 * (round + c) * Math.cos(i + t)), job.config.uploadCodec, codecs);
  const signed = (c: number, task: FitTask, frame: Uint8Array) => devices[c]!.credentials.signUpload({ ...task, clientId: devices[c]!.clientId }, frame);

  it('samples only enrolled devices and refuses unsigned, forged and mis-bound updates, then accepts the signed one', async () => {
    let unsampled = false;
    plain.once('fit:task', () => (unsampled = true));
    const tasks = Promise.all(devices.map((d) => nextTask(d.socket)));
    job = await coordinator.jobs.create({ name: 'signed', model: { preset: 'mnist-2nn' }, rounds: 3, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'float32' }, requireEnrolledDevices: true });
    const [taskA, taskB] = await tasks;
    const [a, b] = devices;
    const frameA = frameFor(1, 0);
    const send = (device: typeof a, task: FitTask, frame: Uint8Array, signature?: string) =>
      call(device!.socket, 'fit:result', { ...meta(task, 100), ...(signature === undefined ? {} : { signature }) }, frame);

    expect((await send(a, taskA!, frameA)).error?.code).toBe('UPDATE_UNSIGNED');
    const otherKey = new DeviceCredentials(nacl.sign.keyPair()).signUpload({ ...taskA!, clientId: a!.clientId }, frameA);
    expect((await send(a, taskA!, frameA, otherKey)).error?.code).toBe('SIGNATURE_INVALID');
    expect((await send(a, taskA!, frameA, signed(0, taskA!, frameFor(9, 9)))).error?.code).toBe('SIGNATURE_INVALID');
    expect((await send(a, taskA!, frameA, signed(0, { ...taskA!, round: 2 }, frameA))).error?.code).toBe('SIGNATURE_INVALID');
    // B's signature over A's task and payload: bound to B's client id, so it does not verify as A.
    expect((await send(a, taskA!, frameA, signed(1, taskA!, frameA))).error?.code).toBe('SIGNATURE_INVALID');
    const finished = new Promise((resolve) => coordinator.events.once('round:finished', resolve));
    round2Tasks = Promise.all(devices.map((d) => nextTask(d.socket)));
    expect((await send(a, taskA!, frameA, signed(0, taskA!, frameA))).ok).toBe(true);
    expect((await send(b, taskB!, frameFor(1, 1), signed(1, taskB!, frameFor(1, 1)))).ok).toBe(true);
    await finished;
    expect(unsampled).toBe(false);
    const contributions = coordinator.store.listContributions(job.id, 1);
    expect(contributions.map((c) => c.status)).toEqual(['accepted', 'accepted']);
    // The model is exactly the FedAvg of the two accepted updates: no refused one reached aggregation.
    const base = decodeFrame(coordinator.store.getVersionWeights(job.id, 0)!).tensors;
    const next = decodeFrame(coordinator.store.getVersionWeights(job.id, 1)!).tensors;
    const expected = (t: number, i: number) => base[t]!.values[i]! + (decodeFrame(frameA).tensors[t]!.values[i]! + decodeFrame(frameFor(1, 1)).tensors[t]!.values[i]!) / 2;
    expect(Math.abs(next[1]!.values[5]! - expected(1, 5))).toBeLessThan(1e-6);
    expect(Math.abs(next[0]!.values[1234]! - expected(0, 1234))).toBeLessThan(1e-6);
  });

  it('refuses a replayed payload and a stale round, and a revoked device is cut off everywhere', async () => {
    const [a, b] = devices;
    const [taskA] = await round2Tasks;
    // Round 2: A re-sends its round-1 bytes, correctly signed for round 2 — a replay.
    const replay = frameFor(1, 0);
    const replayed = await call(a!.socket, 'fit:result', { ...meta(taskA!, 100), signature: signed(0, taskA!, replay) }, replay);
    expect(replayed.error?.code).toBe('REPLAYED_UPDATE');
    // A round-1 statement sent now: stale.
    const stale = await call(a!.socket, 'fit:result', { ...meta({ ...taskA!, round: 1 }, 100), signature: signed(0, { ...taskA!, round: 1 }, frameFor(2, 0)) }, frameFor(2, 0));
    expect(['LATE_UPDATE', 'DUPLICATE_UPDATE']).toContain(stale.error?.code);

    const revoked = await postJson<{ revokedAt: number }>(`${url}/api/v1/devices/${b!.clientId}/revoke`, {});
    expect(revoked.body.revokedAt).toBeTypeOf('number');
    await eventually(async () => (b!.socket.connected ? undefined : true), 'the revoked device to be disconnected');
    expect((await request(`${url}/api/v1/jobs/${job.id}/model.json`, { headers: bearer(b!.accessToken) })).status).toBe(401);
    expect((await connectAs(b!.clientId, b!.credentials.helloProof(b!.clientId))).reply.error?.code).toBe('DEVICE_REVOKED');
    // A's genuine update closes the round; with B gone it misses the quorum of 2 and releases no model.
    const fresh = frameFor(2, 0);
    expect((await call(a!.socket, 'fit:result', { ...meta(taskA!, 100), signature: signed(0, taskA!, fresh) }, fresh)).ok).toBe(true);
    const round = await eventually(async () => coordinator.store.getRound(job.id, 2)?.status === 'running' ? undefined : coordinator.store.getRound(job.id, 2), 'round 2 to end');
    expect(round.status).toBe('failed');
    expect(coordinator.store.listContributions(job.id, 2).find((c) => c.clientId === b!.clientId)?.status).toBe('dropped');
    const audit = coordinator.audit.list({ limit: 20 }).items;
    expect(audit.some((e) => e.action === 'device.revoke' && e.target === `device:${b!.clientId}` && e.outcome === 'success')).toBe(true);
    await coordinator.jobs.stop(job.id);
  });
});
