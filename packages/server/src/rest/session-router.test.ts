/** POST /api/v1/session on a real coordinator under a token-guessing attack from the administrator's own address. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '../coordinator.js';
import { VirtualClock } from '../time/virtual-clock.js';

const ADMIN_TOKEN = 'session-router-admin-token';
const root = mkdtempSync(join(tmpdir(), 'shoal-session-'));
const clock = new VirtualClock(1_000_000);
let coordinator: Coordinator;
let url: string;

const login = (token: string) => fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
const codeOf = async (reply: Response) => ((await reply.json()) as { error?: { code?: string } }).error?.code;

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir: join(root, 'data'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN, connectionClock: clock });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  while (clock.advance()) await Promise.resolve();
  await coordinator.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('POST /session under a guessing attack', () => {
  it('slows the guesses from an address while a valid token from the same address still logs in at once', async () => {
    const free = await Promise.all(Array.from({ length: 10 }, (_, i) => login(`wrong-guess-${i}-padding`)));
    const guesses = Array.from({ length: 5 }, (_, i) => login(`another-wrong-guess-${i}`));
    while (clock.pending < 5) await new Promise((resolve) => setTimeout(resolve, 5));

    const valid = await login(ADMIN_TOKEN);
    const waitingWhileValidLoggedIn = clock.pending;
    while (clock.advance()) await new Promise((resolve) => setImmediate(resolve));
    const slowed = await Promise.all(guesses);

    expect(free.map((reply) => reply.status)).toEqual(new Array(10).fill(401));
    expect([valid.status, ((await valid.json()) as { role?: string }).role]).toEqual([201, 'admin']);
    expect(waitingWhileValidLoggedIn).toBe(5);
    expect(slowed.map((reply) => reply.status)).toEqual(new Array(5).fill(429));
    expect(await codeOf(slowed[0]!)).toBe('RATE_LIMITED');
  });
});
