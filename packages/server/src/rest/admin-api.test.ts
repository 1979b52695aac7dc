/** The administrator REST API of a real coordinator (port 0, real SQLite): auth on every change, sessions, audit, pause/resume, catalog, fleet paging. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseMessage, type JobView } from '@shoal/protocol';
import { Coordinator } from '../coordinator.js';

const TOKEN = 'admin-api-test-token';
const admin = { authorization: `Bearer ${TOKEN}` };
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-admin-'));
const quiet = pino({ level: 'silent' });
let coordinator: Coordinator;
let url: string;

/** Sends the admin token unless the call names its own headers (`{}` for an anonymous call). */
async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const send = () =>
    fetch(`${url}/api/v1${path}`, {
      method,
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.headers ?? admin) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  // A pooled keep-alive connection may still point at the coordinator stopped a moment ago.
  const response = await send().catch(() => send());
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as Record<string, any> };
}
const waitingJob = { name: 'waits', model: { preset: 'mnist-2nn' }, rounds: 2, minFitClients: 1000 };

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir, logger: quiet, centralEvaluation: false, adminToken: TOKEN });
  url = (await coordinator.start()).url;
});

afterAll(async () => {
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('administrator authentication', () => {
  it('refuses every change without credentials with UNAUTHENTICATED, and records the attempt', async () => {
    for (const [method, path] of [['POST', '/jobs'], ['POST', '/jobs/job-x/stop'], ['POST', '/jobs/job-x/pause'], ['POST', '/jobs/job-x/resume'], ['DELETE', '/session']] as const) {
      const reply = await call(method, path, { body: method === 'POST' ? waitingJob : undefined, headers: {} });
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.body['error'].code).toBe('UNAUTHENTICATED');
    }
    const audit = await call('GET', '/audit?limit=5');
    expect(audit.body['items'][0]).toMatchObject({ actor: 'anonymous', outcome: 'failure', errorCode: 'UNAUTHENTICATED' });
    for (const item of audit.body['items']) parseMessage('audit-entry', item);
  });

  it('refuses reads without credentials too, but for the protocol info', async () => {
    for (const path of ['/jobs', '/clients', '/audit', '/devices', '/codecs', '/nope']) {
      const reply = await call('GET', path, { headers: {} });
      expect([reply.status, reply.body['error'].code], path).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect((await call('GET', '/info', { headers: {} })).status).toBe(200);
    expect((await call('GET', '/jobs')).status).toBe(200);
  });

  it('logs in with the token: an HttpOnly session cookie that authenticates changes from the same origin', async () => {
    const refused = await call('POST', '/session', { body: { token: 'wrong' }, headers: {} });
    expect([refused.status, refused.body['error'].code]).toEqual([401, 'UNAUTHENTICATED']);
    const login = await call('POST', '/session', { body: { token: TOKEN }, headers: {} });
    expect(login.status).toBe(201);
    const view = parseMessage('session', login.body);
    expect([view.kind, view.role]).toEqual(['session', 'admin']);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^shoal_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const session = { cookie: cookie.split(';')[0]! };
    expect((await call('GET', '/session', { headers: session })).body).toEqual(login.body);

    const created = await call('POST', '/jobs', { body: waitingJob, headers: { ...session, origin: url } });
    expect(created.status).toBe(201);
    const foreign = await call('POST', `/jobs/${created.body['id']}/stop`, { body: {}, headers: { ...session, origin: 'https://evil.example' } });
    expect([foreign.status, foreign.body['error'].code]).toEqual([403, 'FORBIDDEN']);
    expect((await call('POST', `/jobs/${created.body['id']}/stop`, { body: {}, headers: session })).body['status']).toBe('stopped');

    const audit = (await call('GET', '/audit?limit=3')).body['items'].map((e: { action: string; actor: string; outcome: string }) => [e.action, e.actor, e.outcome]);
    expect(audit).toEqual([
      ['job.stop', view.id, 'success'],
      [`POST /api/v1/jobs/${created.body['id']}/stop`, view.id, 'failure'],
      ['job.create', view.id, 'success'],
    ]);

    expect((await call('DELETE', '/session', { headers: session })).status).toBe(204);
    expect((await call('GET', '/session', { headers: session })).status).toBe(401);
  });
});

describe('pause and resume', () => {
  it('pauses a running job, resumes it, and refuses either in the wrong state with CONFLICT', async () => {
    const job = (await call('POST', '/jobs', { body: waitingJob, headers: admin })).body as JobView;
    const paused = await call('POST', `/jobs/${job.id}/pause`, { body: {}, headers: admin });
    expect(parseMessage('job', paused.body).status).toBe('paused');
    expect((await call('POST', `/jobs/${job.id}/pause`, { body: {}, headers: admin })).body['error'].code).toBe('CONFLICT');
    expect((await call('POST', `/jobs/${job.id}/resume`, { body: {}, headers: admin })).body['status']).toBe('running');
    expect((await call('POST', `/jobs/${job.id}/resume`, { body: {}, headers: admin })).body['error'].code).toBe('CONFLICT');
    await call('POST', `/jobs/${job.id}/pause`, { body: {}, headers: admin });
    expect((await call('POST', `/jobs/${job.id}/stop`, { body: {}, headers: admin })).body['status']).toBe('stopped');
    expect((await call('POST', `/jobs/${job.id}/resume`, { body: {}, headers: admin })).body['error'].code).toBe('CONFLICT');
    expect((await call('POST', '/jobs/job-missing/pause', { body: {}, headers: admin })).status).toBe(404);
  });
});

describe('catalog and fleet queries', () => {
  it('lists the registered codecs and serves the protocol schemas', async () => {
    const codecs = (await call('GET', '/codecs')).body['items'];
    expect(codecs).toEqual(expect.arrayContaining([{ id: 'float32', lossless: true }, { id: 'int8', lossless: false }]));
    for (const codec of codecs) parseMessage('codec-info', codec);
    const schema = await call('GET', '/schemas/create-job-request');
    expect(schema.headers.get('content-type')).toContain('application/schema+json');
    expect(schema.body['$id']).toBe('shoal:v1/create-job-request');
    expect((await call('GET', '/schemas/nope')).status).toBe(404);
  });

  it('pages, searches and sorts clients, and names a bad query parameter', async () => {
    for (let i = 0; i < 30; i++) {
      coordinator.store.upsertClient({ id: `c-${i}`, name: `device-${String(i).padStart(2, '0')}`, capabilities: { platform: i < 10 ? 'ios' : 'linux', backend: 'cpu', agentVersion: '1', numTrainExamples: 1, numEvalExamples: 0 }, firstSeenAt: 1, lastSeenAt: 100 + i });
    }
    const page = await call('GET', '/clients?limit=7&offset=7&sort=name');
    expect(page.body).toMatchObject({ total: 30, registered: 30, online: 0, offset: 7, limit: 7 });
    expect(page.body['items'].map((c: { name: string }) => c.name)).toEqual(['device-07', 'device-08', 'device-09', 'device-10', 'device-11', 'device-12', 'device-13']);
    for (const item of page.body['items']) parseMessage('client', item);
    expect((await call('GET', '/clients?q=IOS&sort=-lastSeen&limit=3')).body).toMatchObject({ total: 10, items: [{ name: 'device-09' }, { name: 'device-08' }, { name: 'device-07' }] });
    expect((await call('GET', '/clients?q=100%25')).body['total']).toBe(0);
    expect((await call('GET', '/clients?status=offline')).body['total']).toBe(30);
    for (const bad of ['limit=0', 'limit=5000', 'offset=-1', 'sort=colour', 'status=asleep']) {
      const reply = await call('GET', `/clients?${bad}`);
      expect([reply.status, reply.body['error'].code], bad).toEqual([400, 'BAD_REQUEST']);
      expect(reply.body['error'].message).toContain(bad.split('=')[0]);
    }
  });
});

describe('across a restart', () => {
  it('keeps the token, the sessions and paused jobs', async () => {
    const login = await call('POST', '/session', { body: { token: TOKEN } });
    const session = { cookie: login.headers.get('set-cookie')!.split(';')[0]! };
    const job = (await call('POST', '/jobs', { body: waitingJob, headers: admin })).body as JobView;
    await call('POST', `/jobs/${job.id}/pause`, { body: {}, headers: admin });
    await coordinator.stop();
    coordinator = new Coordinator({ port: Number(new URL(url).port), dataDir, logger: quiet, centralEvaluation: false });
    await coordinator.start();
    expect(coordinator.auth.generatedToken).toBeUndefined();
    expect((await call('GET', '/session', { headers: session })).body['kind']).toBe('session');
    expect((await call('GET', `/jobs/${job.id}`)).body['status']).toBe('paused');
    expect((await call('POST', `/jobs/${job.id}/resume`, { body: {}, headers: session })).body['status']).toBe('running');
  });
});
