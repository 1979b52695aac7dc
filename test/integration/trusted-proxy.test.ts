/**
 * Behind a load balancer every device arrives from the balancer's address, so per-address limits would treat the
 * fleet as one device. With --trust-proxy the coordinator takes the address X-Forwarded-For names, from the trusted
 * proxy only: here one new anonymous client per address and minute is allowed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { Coordinator } from '@shoal/server';
import { FLEET_NAMESPACE, PROTOCOL_VERSION } from '@shoal/protocol';
import { call } from '../support/raw-client.js';

const root = mkdtempSync(join(tmpdir(), 'shoal-trust-proxy-'));
const sockets: Socket[] = [];
const coordinators: Coordinator[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const coordinator of coordinators) await coordinator.stop();
  rmSync(root, { recursive: true, force: true });
});

async function start(trustProxy: string | undefined): Promise<string> {
  const coordinator = new Coordinator({ port: 0, dataDir: join(root, String(trustProxy)), trustProxy, logger: pino({ level: 'silent' }), centralEvaluation: false, anonymousAdmission: { perAddressPerMinute: 1 } });
  coordinators.push(coordinator);
  return (await coordinator.start()).url;
}

/** A new anonymous client's hello, as forwarded for `address`: the code it is refused with, or 'ok'. */
async function hello(url: string, address: string): Promise<string> {
  const socket = io(new URL(FLEET_NAMESPACE, url).href, { transports: ['websocket'], reconnection: false, auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { 'x-forwarded-for': address } });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const reply = await call(socket, 'hello', { name: `via-${address}`, capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 1, numEvalExamples: 0 } });
  return reply.ok ? 'ok' : reply.error!.code;
}

describe('--trust-proxy', () => {
  it('limits new clients per forwarded address behind a trusted proxy, and per peer address otherwise', async () => {
    const trusting = await start('loopback');
    expect(await hello(trusting, '203.0.113.7')).toBe('ok');
    expect(await hello(trusting, '198.51.100.9')).toBe('ok');
    expect(await hello(trusting, '203.0.113.7')).toBe('RATE_LIMITED');

    // Without it the header is ignored: every client is the loopback peer.
    const plain = await start(undefined);
    expect(await hello(plain, '203.0.113.7')).toBe('ok');
    expect(await hello(plain, '198.51.100.9')).toBe('RATE_LIMITED');
  });

  it('refuses a setting that is not a proxy list or hop count', () => {
    expect(() => new Coordinator({ port: 0, dataDir: join(root, 'bad'), trustProxy: 'everyone; rm -rf', logger: pino({ level: 'silent' }) })).toThrow(/trustProxy/);
  });
});
