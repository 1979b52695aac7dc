/**
 * The agent program says what is wrong: a real agent process pointed at a closed port logs a warn line naming the
 * address and its next attempt, and a device revoked while connected exits with the revoked code (not 0), so a
 * supervisor stops restarting it. The coordinator runs in process on port 0 with real SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { AGENT_BIN, startProgram, type Started } from '../../apps/demo/src/processes.js';
import { EXIT_CODES } from '../../apps/agent/src/exit-codes.js';
import { postJson, useBearerToken } from '../support/rest.js';
import { PATIENCE_MS } from '../support/patience.js';

const ADMIN_TOKEN = 'agent-failures-test-admin-token';
useBearerToken(ADMIN_TOKEN);
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-agent-failures-'));
let coordinator: Coordinator;
let url: string;
const agents: Started[] = [];

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** Starts an agent and resolves lines as they arrive; `waitFor` gives up after PATIENCE_MS (a hang guard). */
function agent(name: string, args: string[]) {
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const started = startProgram(AGENT_BIN, ['--name', name, '--max-examples', '200', '--state-dir', join(dataDir, name), ...args], join(dataDir, `${name}.log`), (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) waiter.resolve(line);
  });
  agents.push(started);
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  const guard = <T>(promise: Promise<T>, what: string) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`gave up waiting for ${what}; see ${join(dataDir, `${name}.log`)}`)), PATIENCE_MS).unref())]);
  return {
    waitFor(match: (line: LogLine) => boolean, what: string): Promise<LogLine> {
      const seen = lines.find(match);
      return guard(seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve })), what);
    },
    exited: () => guard(exited, `${name} to exit`),
  };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir: join(dataDir, 'coordinator'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  await Promise.all(agents.map((started) => started.stop()));
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('agent failures', () => {
  it('logs each failed connection to an unreachable coordinator at warn, with the address and the next attempt', async () => {
    const address = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = agent('unreachable', ['--coordinator', address]);

    const first = await unreachable.waitFor((line) => line['coordinator'] === address && line['attempt'] === 1, 'the first retry line');
    const second = await unreachable.waitFor((line) => line['coordinator'] === address && line['attempt'] === 2, 'the second retry line');

    expect(first).toMatchObject({ level: 'warn', code: 'ECONNREFUSED', tls: false });
    expect(first.msg).toContain(address);
    expect(first.msg).toContain(`next attempt in ${String(first['nextAttemptMs'])} ms`);
    expect(second['nextAttemptMs']).toBeTypeOf('number');
  });

  it('exits with the revoked code when its device is revoked while connected', async () => {
    const token = (await postJson<{ token: string }>(`${url}/api/v1/join-tokens`, { uses: 1, ttlMs: 600_000 })).body.token;
    const device = agent('revoked', ['--coordinator', url, '--join-token', token]);
    const registered = await device.waitFor((line) => line.msg === 'registered', 'the device to register');

    const revoked = await postJson<{ revokedAt: number }>(`${url}/api/v1/devices/${String(registered['clientId'])}/revoke`, {});
    const code = await device.exited();

    expect(revoked.status).toBe(200);
    expect(registered['enrolled']).toBe(true);
    expect(code).toBe(EXIT_CODES.revoked.code);
    expect(await device.waitFor((line) => line.msg === 'fatal', 'the fatal line')).toMatchObject({ level: 'error', code: 'DEVICE_REVOKED' });
  });
});
