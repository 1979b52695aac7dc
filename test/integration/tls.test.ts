/**
 * Transport security: a coordinator with a certificate serves HTTPS and WSS only; an SDK client that pins the CA
 * trains through it, and one that does not trust the CA cannot connect. Certificates are made here with openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { ShoalClient } from '@shoal/client';
import { shardExamples } from '../support/sdk-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
let coordinator: Coordinator;
let url: string;
const clients: ShoalClient[] = [];
const train = () => shardExamples(0, 10, 200);

beforeAll(async () => {
  // A private CA, and a server certificate for 127.0.0.1 signed by it.
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Shoal test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName = IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.cnf', '-out', 'server.pem');
  coordinator = new Coordinator({
    port: 0, dataDir: join(dir, 'coordinator'), logger: pino({ level: 'silent' }), centralEvaluation: false,
    tlsCertFile: join(dir, 'server.pem'), tlsKeyFile: join(dir, 'server.key'),
  });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves https and trains a client that pins the CA', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    for (let i = 0; i < 2; i++) clients.push(new ShoalClient({ coordinatorUrl: url, name: `tls-${i}`, train: train(), tls: { ca } }));
    const registered = clients.map((client) => new Promise((resolve) => client.once('registered', resolve)));
    await Promise.all(clients.map((client) => client.start()));
    await Promise.all(registered);
    const finished = new Promise<{ status: string }>((resolve) => coordinator.events.once('round:finished', resolve));
    await coordinator.jobs.create({ name: 'tls', model: { preset: 'mnist-2nn' }, rounds: 1, learningRate: 0.1, roundDeadlineMs: ROUND_DEADLINE_MS });
    expect((await finished).status).toBe('completed');
  });

  it('refuses a client that does not trust the coordinator certificate', async () => {
    const stranger = new ShoalClient({ coordinatorUrl: url, name: 'stranger', train: train(), reconnect: { initialDelayMs: 50, maxDelayMs: 100, jitter: 0 } });
    clients.push(stranger);
    let registered = false;
    stranger.once('registered', () => (registered = true));
    await stranger.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(registered).toBe(false);
    expect(stranger.connected).toBe(false);
    expect(coordinator.registry.size()).toBe(2);
  });

  it('refuses plain http on the TLS port', async () => {
    const plain = url.replace('https://', 'http://');
    const outcome = await fetch(`${plain}/healthz`).then((r) => r.status, () => 'refused');
    expect(outcome).not.toBe(200);
  });
});
