/**
 * The /fleet namespace against abuse, with a real coordinator (port 0) and raw socket.io clients: a connection may
 * send only small messages before its hello is accepted and is closed when no hello comes; events have size limits;
 * new anonymous registrations are rate-limited per address; and the rows unenrolled clients leave stay bounded.
 * Timers run on an injected connection clock, advanced by the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator, VirtualClock, type CoordinatorOptions } from '@shoal/server';
import { PROTOCOL_VERSION } from '@shoal/protocol';
import { call, connectRaw, helloRaw, type RawSocket } from '../support/raw-client.js';

const root = mkdtempSync(join(tmpdir(), 'shoal-fleet-hardening-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const running: { coordinator: Coordinator; sockets: RawSocket[] }[] = [];
afterEach(async () => {
  for (const { coordinator, sockets } of running.splice(0)) {
    for (const socket of sockets) socket.disconnect();
    await coordinator.stop();
  }
});

let dirs = 0;
async function start(options: Partial<CoordinatorOptions> = {}) {
  const coordinator = new Coordinator({ port: 0, dataDir: join(root, `c${dirs++}`), logger: pino({ level: 'silent' }), centralEvaluation: false, ...options });
  const { url } = await coordinator.start();
  const entry = { coordinator, sockets: [] as RawSocket[] };
  running.push(entry);
  const connect = async (auth?: Record<string, unknown>) => {
    const socket = await connectRaw(url, auth);
    entry.sockets.push(socket);
    return socket;
  };
  return { coordinator, url, connect };
}

const disconnected = (socket: RawSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe('before hello', () => {
  it('closes a connection whose message exceeds the small pre-hello cap, and keeps serving everyone else', async () => {
    const { url, connect } = await start();
    const socket = await connect();
    const closed = disconnected(socket);
    socket.emit('fit:result', { taskId: 't' }, new Uint8Array(1024 * 1024));

    expect(await closed).toMatch(/transport (close|error)/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // After an accepted hello the same size reaches the coordinator, which answers it with a code.
    const registered = await connect();
    await helloRaw(registered, 'big-sender');
    const reply = await call(registered, 'fit:result', { taskId: 't', jobId: 'job-none', round: 1, modelVersion: 0, numExamples: 1, durationMs: 1, metrics: { loss: 1 } }, new Uint8Array(1024 * 1024));
    expect(reply.error?.code).toBe('UNKNOWN_JOB');
    expect(registered.connected).toBe(true);
  });

  it('closes a connection that sends no hello within the hello timeout, and not one that did', async () => {
    const clock = new VirtualClock(0);
    const { connect } = await start({ connectionClock: clock, helloTimeoutMs: 30_000 });
    const silent = await connect();
    const polite = await connect();
    await helloRaw(polite, 'polite');
    const closed = disconnected(silent);
    expect(clock.pending).toBe(1); // the silent one's timer; the polite one's was cancelled at its hello

    clock.advance();
    expect(await closed).toBe('io server disconnect');
    expect(polite.connected).toBe(true);
  });
});

describe('event limits', () => {
  it('refuses an oversized event and a binary attachment where none belongs, each with its code', async () => {
    const { connect } = await start();
    const socket = await connect();
    const hello = await call(socket, 'hello', { name: 'x'.repeat(20_000), capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 1, numEvalExamples: 0 } });
    expect(hello.error?.code).toBe('PAYLOAD_TOO_LARGE');
    await helloRaw(socket, 'small');
    expect((await call(socket, 'heartbeat', { sentAt: 1 }, new Uint8Array(10))).error?.code).toBe('VALIDATION_FAILED');
    expect((await call(socket, 'heartbeat', { sentAt: 1 })).ok).toBe(true);
  });
});

describe('anonymous registrations', () => {
  it('are rate-limited per address, while returning clients are not', async () => {
    const { connect } = await start({ anonymousAdmission: { perAddressPerMinute: 3 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await helloRaw(await connect(), `anon-${i}`));
    const fourth = await call(await connect(), 'hello', { name: 'anon-3', capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 1, numEvalExamples: 0 } });

    expect(fourth.error?.code).toBe('RATE_LIMITED');
    expect(fourth.error?.message).toMatch(/too many new anonymous clients/);
    const returning = await connect({ protocolVersion: PROTOCOL_VERSION, clientId: ids[0] });
    const again = await call(returning, 'hello', { clientId: ids[0], name: 'anon-0', capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 1, numEvalExamples: 0 } });
    expect(again).toMatchObject({ ok: true, clientId: ids[0] });
  });

  it('leave a bounded number of rows: the least recently seen offline ones make room, online ones never do', async () => {
    const { coordinator, connect } = await start({ anonymousAdmission: { maxUnenrolledClients: 3 } });
    const sockets = await Promise.all([0, 1, 2].map(() => connect()));
    const ids: string[] = [];
    for (const [i, socket] of sockets.entries()) ids.push(await helloRaw(socket, `kept-${i}`));
    // All three online: there is no room to make.
    const refused = await call(await connect(), 'hello', { name: 'extra', capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 1, numEvalExamples: 0 } });
    expect(refused.error?.code).toBe('RATE_LIMITED');

    const gone = disconnected(sockets[0]!);
    sockets[0]!.disconnect();
    await gone;
    await new Promise<void>((resolve) => {
      const check = () => (coordinator.registry.isOnline(ids[0]!) ? setImmediate(check) : resolve());
      check();
    });
    const admitted = await helloRaw(await connect(), 'newcomer');

    const stored = coordinator.store.listClients().map((client) => client.id).sort();
    expect(stored).toEqual([ids[1]!, ids[2]!, admitted].sort());
  });
});

describe('what a connected client may download', () => {
  it('gives an unenrolled client the model of an open job, not of a job for enrolled devices only', async () => {
    const { coordinator, url, connect } = await start();
    const socket = await connect();
    const reply = await call(socket, 'hello', { name: 'anyone', capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 1, numEvalExamples: 0 } });
    const open = await coordinator.jobs.create({ name: 'open', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 50 });
    const closed = await coordinator.jobs.create({ name: 'enrolled only', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 50, requireEnrolledDevices: true });
    const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${String(reply['accessToken'])}` } });

    expect((await get(`/api/v1/jobs/${open.id}/model.json`)).status).toBe(200);
    expect((await get(`/api/v1/jobs/${open.id}/models/0/weights`)).status).toBe(200);
    const refused = await get(`/api/v1/jobs/${closed.id}/models/0/weights`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await get(`/api/v1/jobs/${closed.id}/model.json`)).status).toBe(403);
  });
});
