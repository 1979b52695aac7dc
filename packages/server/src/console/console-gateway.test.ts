/** The /console namespace of a real coordinator: authenticated at the handshake; every event it pushes matches its schema. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { FLEET_NAMESPACE, PROTOCOL_VERSION, parseMessage, type FitTask, type MessageName } from '@shoal/protocol';
import { Coordinator } from '../coordinator.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { CONSOLE_NAMESPACE } from '@shoal/protocol/console';

const TOKEN = 'console-gateway-admin-token';
const root = mkdtempSync(join(tmpdir(), 'shoal-console-gw-'));
const sockets: Socket[] = [];
let coordinator: Coordinator;
let url: string;

function connect(namespace: string, options: { auth: Record<string, unknown>; cookie?: string }): Promise<Socket> {
  const socket = io(`${url}${namespace}`, { transports: ['websocket'], reconnection: false, auth: options.auth, extraHeaders: options.cookie === undefined ? {} : { cookie: options.cookie } });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function login(base: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir: join(root, 'data'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await coordinator.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('console gateway', () => {
  it('refuses a handshake without a valid session or token, and another protocol version', async () => {
    const refusal = (auth: Record<string, unknown>, cookie?: string) => connect(CONSOLE_NAMESPACE, { auth, cookie }).then(() => undefined, (error: Error & { data?: { code: string } }) => error.data?.code);
    expect(await refusal({ protocolVersion: PROTOCOL_VERSION })).toBe('UNAUTHENTICATED');
    expect(await refusal({ protocolVersion: PROTOCOL_VERSION, token: 'wrong' })).toBe('UNAUTHENTICATED');
    expect(await refusal({ protocolVersion: PROTOCOL_VERSION }, 'shoal_session=forged')).toBe('UNAUTHENTICATED');
    expect(await refusal({ protocolVersion: 2, token: TOKEN })).toBe('PROTOCOL_VERSION_MISMATCH');
    expect(await refusal({ token: TOKEN })).toBe('VALIDATION_FAILED');
  });

  it('pushes fleet, job and round events, each matching its protocols/v1 schema', async () => {
    const watcher = await connect(CONSOLE_NAMESPACE, { auth: { protocolVersion: PROTOCOL_VERSION }, cookie: await login(url) });
    const received: [string, unknown][] = [];
    watcher.onAny((event: string, payload: unknown) => received.push([event, payload]));

    const device = await connect(FLEET_NAMESPACE, { auth: { protocolVersion: PROTOCOL_VERSION } });
    const task = new Promise<FitTask>((resolve) => device.once('fit:task', resolve));
    await device.emitWithAck('hello', { name: 'device', capabilities: { platform: 'test', backend: 'none', agentVersion: 't', numTrainExamples: 10, numEvalExamples: 0 } });
    const job = await coordinator.jobs.create({ name: 'events', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 1 });
    const fit = await task;
    await device.emitWithAck('fit:failure', { taskId: fit.taskId, jobId: job.id, round: 1, error: { code: 'INTERNAL', message: 'out of memory' } });
    await expect.poll(() => received.some(([event, payload]) => event === 'job:status' && (payload as { status: string }).status === 'completed')).toBe(true);
    device.disconnect();
    await expect.poll(() => received.some(([event]) => event === 'client:offline')).toBe(true);

    const schemas: Record<string, MessageName> = {
      'client:online': 'console-client-presence',
      'client:offline': 'console-client-presence',
      'job:status': 'console-job-status',
      'round:started': 'console-round-started',
      'round:progress': 'console-round-progress',
      'round:finished': 'console-round-finished',
    };
    for (const [event, payload] of received) parseMessage(schemas[event]!, payload);
    expect(received.map(([event]) => event)).toEqual(['client:online', 'job:status', 'round:started', 'round:progress', 'round:finished', 'job:status', 'client:offline']);
    expect(received[2]![1]).toMatchObject({ jobId: job.id, round: 1, selected: 1 });
    expect(received[3]![1]).toEqual({ jobId: job.id, round: 1, selected: 1, reported: 0, failed: 1 });
    expect(received[4]![1]).toMatchObject({ jobId: job.id, round: 1, status: 'failed' });
  });

  it('ends a connection when its session expires', async () => {
    // Sessions run on the coordinator's clock: a virtual one here, moved past the expiry once the socket is connected.
    const start = Date.now();
    const clock = new VirtualClock(start);
    const shortLived = new Coordinator({ port: 0, dataDir: join(root, 'short'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN, sessionTtlMs: 60_000, clock });
    const base = (await shortLived.start()).url;
    try {
      const socket = io(`${base}${CONSOLE_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: await login(base) } });
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(socket.connected).toBe(true);
      expect(clock.pending).toBe(1);
      clock.advance();
      expect(clock.now()).toBe(start + 60_000);
      expect(await disconnected).toBe('io server disconnect');
    } finally {
      await shortLived.stop();
    }
  });
});
