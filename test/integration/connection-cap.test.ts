/**
 * The fleet connection cap with a real coordinator (port 0) and real socket.io clients: beyond the cap a /fleet
 * connection is refused with CAPACITY_EXCEEDED, beyond the cap's headroom the Engine.IO handshake itself is refused,
 * REST, /healthz and /metrics keep answering, and a freed slot is usable again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { Coordinator } from '@shoal/server';
import { FLEET_NAMESPACE, PROTOCOL_VERSION } from '@shoal/protocol';
import { connectRaw, type RawSocket } from '../support/raw-client.js';
import { eventually } from '../support/rest.js';

const CAP = 50;
const ADMIN_TOKEN = 'connection-cap-admin-token';
const root = mkdtempSync(join(tmpdir(), 'shoal-connection-cap-'));
const sockets: RawSocket[] = [];
let coordinator: Coordinator | undefined;
let url = '';
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await coordinator?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Connects and resolves with the refusal's WireError, or undefined (and keeps the socket) when it connected. */
function attempt(url: string): Promise<{ code: string; message: string; details?: Record<string, unknown> } | undefined> {
  const socket = io(new URL(FLEET_NAMESPACE, url).href, { transports: ['websocket'], reconnection: false, auth: { protocolVersion: PROTOCOL_VERSION } });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      sockets.push(socket);
      resolve(undefined);
    });
    socket.once('connect_error', (error: Error & { data?: { code: string; message: string } }) => {
      socket.disconnect();
      resolve(error.data ?? { code: 'NO_DATA', message: error.message });
    });
  });
}

const metric = async (url: string, name: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe('fleet connection cap', () => {
  it('refuses connections beyond the cap with CAPACITY_EXCEEDED, keeps REST and /healthz working, and reuses a freed slot', async () => {
    coordinator = new Coordinator({ port: 0, dataDir: join(root, 'c'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN, maxConnections: CAP });
    ({ url } = await coordinator.start());
    for (let i = 0; i < CAP; i++) sockets.push(await connectRaw(url));

    const refusals = await Promise.all([attempt(url), attempt(url), attempt(url)]);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ code: 'CAPACITY_EXCEEDED', details: { maxConnections: CAP } });
      expect(refusal?.message).toMatch(/maximum of 50 fleet connections/);
    }

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const clients = await fetch(`${url}/api/v1/clients?limit=5`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(clients.status).toBe(200);
    expect(await metric(url, 'shoal_fleet_connections')).toBe(CAP);
    expect(await metric(url, 'shoal_fleet_connections_max')).toBe(CAP);
    expect(await metric(url, 'shoal_fleet_connections_refused_total{stage="namespace"}')).toBe(3);

    // A freed slot is usable again once the coordinator has seen the disconnect.
    sockets.shift()!.disconnect();
    await eventually(async () => ((await metric(url, 'shoal_fleet_connections')) === CAP - 1 ? true : undefined), 'the freed slot');
    expect(await attempt(url)).toBeUndefined();
    expect(await attempt(url)).toMatchObject({ code: 'CAPACITY_EXCEEDED' });
  });

  it('refuses new Engine.IO sessions beyond the headroom before any namespace, and /healthz still answers', async () => {
    // Polling handshakes that never join a namespace: each holds an Engine.IO session until its ping timeout.
    let refused: { status: number; body: { code: number; message: string } } | undefined;
    let admitted = 0;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const reply = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
      if (reply.status === 200) admitted += 1;
      else refused = { status: reply.status, body: (await reply.json()) as { code: number; message: string } };
    }
    expect(refused?.status).toBe(403);
    expect(refused?.body.message).toMatch(/^CAPACITY_EXCEEDED: /);
    expect(admitted).toBeLessThanOrEqual(16);
    expect(await metric(url, 'shoal_fleet_connections_refused_total{stage="transport"}')).toBe(1);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/info`)).status).toBe(200);
  });
});
