/**
 * The REST boundary of a real coordinator (port 0, temporary data directory) under hostile requests: undecodable
 * paths, corrupt compressed bodies, clients hanging up mid-body, misspelt paths around the role checks, malformed
 * input on every router, and a seeded fuzzer. Every refusal is a documented 4xx code; nothing is a 5xx.
 */
import { Agent } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sendRaw, type Framing } from '../fuzz/raw-http.js';
import { fuzzRest } from '../fuzz/rest-fuzzer.js';
import { startFuzzTarget, type FuzzTarget } from '../fuzz/rest-target.js';
import { PATIENCE_MS } from '../support/patience.js';
import { eventually } from '../support/rest.js';

interface LogLine {
  level: number;
  msg: string;
}
const logs: LogLine[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
let target: FuzzTarget;
let agent: Agent;
let jobId: string;

beforeAll(async () => {
  target = await startFuzzTarget({ logger });
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  jobId = target.ids['jobId']![0]!;
});

afterAll(async () => {
  agent.destroy();
  await target.close();
});

type As = 'anonymous' | 'viewer' | 'admin' | 'device';
interface Reply {
  status: number;
  code: string | undefined;
  message: string | undefined;
}

/** One raw request (the path exactly as given) as a caller; the reply's status and error code. */
async function send(as: As, method: string, path: string, options: { body?: Uint8Array | string; headers?: Record<string, string>; framing?: Framing } = {}): Promise<Reply> {
  const token = as === 'anonymous' ? undefined : target.credentials[as];
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers = { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
  const outcome = await sendRaw(new URL(target.url), { method, path, headers, body, framing: options.framing ?? 'exact' }, { agent, hangGuardMs: PATIENCE_MS });
  if (outcome.kind !== 'response') throw new Error(`${method} ${path} got no answer: ${JSON.stringify(outcome)}`);
  const text = outcome.body.toString('utf8');
  const error = outcome.status >= 400 && text !== '' ? (JSON.parse(text) as { error: { code: string; message: string } }).error : undefined;
  return { status: outcome.status, code: error?.code, message: error?.message };
}

describe('undecodable percent-escapes in a path', () => {
  it('answers 400 BAD_REQUEST naming the segment, on every router, and 401 to anonymous callers', async () => {
    for (const path of ['/jobs/%ff', `/jobs/${jobId}/rounds/%c3%28`, '/clients/%', '/deployments/%zz/drift', '/artifacts/%E0%A4%A/weights', '/tokens/%ff', '/nowhere/%ff']) {
      const reply = await send('admin', path.startsWith('/tokens') ? 'DELETE' : 'GET', `/api/v1${path}`);
      expect([reply.status, reply.code], path).toEqual([400, 'BAD_REQUEST']);
      expect(reply.message, path).toMatch(/^path segment '.*' is not valid percent-encoded UTF-8$/);
      expect((await send('anonymous', 'GET', `/api/v1${path}`)).status, path).toBe(401);
    }
    expect((await send('admin', 'GET', '/api/v1/jobs/%ff')).message).toBe("path segment '%ff' is not valid percent-encoded UTF-8");
    expect((await send('viewer', 'HEAD', '/api/v1/jobs/%ff')).status).toBe(400);
    // Escapes that decode are just spellings of an id.
    expect((await send('viewer', 'GET', `/api/v1/jobs/${encodeURIComponent(jobId).replace('j', '%6A')}`)).status).toBe(200);
  });
});

describe('corrupt request bodies', () => {
  it('answers a corrupt or truncated gzip, deflate or br body with 400 BAD_REQUEST naming the encoding', async () => {
    for (const [encoding, body] of [['gzip', 'not gzip'], ['gzip', gzipSync('{"name":"x"}').subarray(0, 10)], ['deflate', 'not deflate'], ['br', 'not brotli']] as const) {
      const reply = await send('admin', 'POST', '/api/v1/tokens', { body, headers: { 'content-encoding': encoding } });
      expect([reply.status, reply.code], encoding).toEqual([400, 'BAD_REQUEST']);
      expect(reply.message).toMatch(new RegExp(`^request body is not valid ${encoding} data: `));
    }
    expect((await send('admin', 'POST', '/api/v1/tokens', { body: gzipSync('{"name":"zipped","role":"viewer"}'), headers: { 'content-encoding': 'gzip' } })).status).toBe(201);
  });

  it('maps the other body failures to 4xx codes', async () => {
    const cases: [string, Parameters<typeof send>[3], number, string][] = [
      ['unsupported encoding', { body: '{}', headers: { 'content-encoding': 'compress' } }, 400, 'BAD_REQUEST'],
      ['unsupported charset', { body: '{}', headers: { 'content-type': 'application/json; charset=latin1' } }, 400, 'BAD_REQUEST'],
      ['not JSON', { body: '{"name": ' }, 400, 'BAD_REQUEST'],
      ['declared length over the limit', { body: '{}', framing: 'over-limit' }, 413, 'PAYLOAD_TOO_LARGE'],
      ['larger than the limit once decompressed', { body: gzipSync(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })), headers: { 'content-encoding': 'gzip' } }, 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [what, options, status, code] of cases) {
      const reply = await send('admin', 'POST', '/api/v1/tokens', options);
      expect([reply.status, reply.code], what).toEqual([status, code]);
    }
  });

  it('logs a client that hangs up mid-body at debug level, never as an error or INTERNAL', async () => {
    const outcome = await sendRaw(new URL(target.url), { method: 'POST', path: '/api/v1/tokens', headers: { authorization: `Bearer ${target.credentials.admin}`, 'content-type': 'application/json' }, body: Buffer.from('{"name": "cut'), framing: 'abort' }, { agent, hangGuardMs: PATIENCE_MS });
    expect(outcome.kind).toBe('aborted');
    const line = await eventually(async () => logs.find((entry) => entry.msg.includes('closed the connection')), 'the aborted body to be logged');
    expect(line.level).toBe(20);
    expect(logs.filter((entry) => entry.level >= 50)).toEqual([]);
    expect((await send('viewer', 'GET', '/api/v1/jobs')).status).toBe(200);
  });
});

describe('authorisation by the route that matched', () => {
  it('never lets a viewer read the tokens through another spelling of the path', async () => {
    const spellings: [string, string][] = [['GET', '/tokens/'], ['GET', '/TOKENS'], ['GET', '/Tokens'], ['GET', '/join-tokens/'], ['GET', '/JOIN-TOKENS'], ['HEAD', '/tokens/'], ['HEAD', '/tokens'], ['GET', '/tokens//'], ['OPTIONS', '/tokens']];
    for (const [method, path] of spellings) {
      const reply = await send('viewer', method, `/api/v1${path}`);
      expect(reply.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(await send('anonymous', method, `/api/v1${path}`), `${method} ${path}`).toMatchObject({ status: 401 });
    }
    expect(await send('viewer', 'GET', '/api/v1/tokens')).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await send('viewer', 'HEAD', '/api/v1/tokens')).toMatchObject({ status: 403 });
    expect(await send('viewer', 'GET', '/api/v1/TOKENS')).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await send('viewer', 'GET', '/api/v1/tokens/')).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('routes only the documented spelling, for admins too, and keeps the other role rules', async () => {
    expect((await send('admin', 'GET', '/api/v1/tokens')).status).toBe(200);
    for (const path of ['/api/v1/tokens/', '/api/v1/TOKENS', '/api/v1/jobs/', `/api/v1/JOBS/${jobId}`, '/API/v1/jobs', '/api/V1/jobs']) {
      expect(await send('admin', 'GET', path), path).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
    // A device downloads models only; viewers read but do not change; changes by a viewer are refused before the body is read.
    expect((await send('device', 'GET', `/api/v1/jobs/${jobId}/model.json`)).status).toBe(200);
    expect((await send('device', 'HEAD', `/api/v1/jobs/${jobId}`)).status).toBe(200);
    expect(await send('device', 'GET', '/api/v1/jobs')).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await send('device', 'GET', '/api/v1/session')).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await send('viewer', 'POST', `/api/v1/jobs/${jobId}/pause`, { body: 'not even JSON' })).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await send('anonymous', 'POST', '/api/v1/jobs', { body: '{}', framing: 'over-limit' })).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await send('anonymous', 'GET', '/api/v1/info')).status).toBe(200);
    expect(await send('anonymous', 'GET', '/api/v1/info/')).toMatchObject({ status: 401 });
    expect(await send('viewer', 'PUT', '/api/v1/jobs')).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});

describe('malformed input on every router', () => {
  it('answers bad query parameters, path parameters and bodies with VALIDATION_FAILED, BAD_REQUEST or NOT_FOUND', async () => {
    const cases: [As, string, string, string | undefined, number, string][] = [
      ['viewer', 'GET', '/clients?limit=abc', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/clients?limit=1&limit=2', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/clients?offset=1e3', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/clients?q=%ff', undefined, 200, ''],
      ['viewer', 'GET', '/audit?before=x', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/deployments?status=asleep', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/deployments/dep-x/drift?limit=0', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/deployments/dep-x', undefined, 404, 'NOT_FOUND'],
      ['viewer', 'GET', '/artifacts?jobId=a&jobId=b', undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/artifacts/art-x', undefined, 404, 'NOT_FOUND'],
      ['viewer', 'GET', `/jobs/${jobId}/rounds/x`, undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', `/jobs/${jobId}/models/99999999999`, undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', `/jobs/${jobId}/models/7`, undefined, 404, 'NOT_FOUND'],
      ['device', 'GET', `/jobs/${jobId}/models/0/weights?base=-1`, undefined, 400, 'BAD_REQUEST'],
      ['viewer', 'GET', '/schemas/__proto__', undefined, 404, 'NOT_FOUND'],
      ['viewer', 'GET', '/clients/..', undefined, 404, 'NOT_FOUND'],
      ['admin', 'POST', '/tokens', '[]', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/tokens', '{"name":"x","role":"viewer","admin":true}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/tokens', '{"__proto__":{"role":"admin"},"name":"x"}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/join-tokens', '{"uses":1e308}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/jobs', '{"name":"x","model":{"preset":"mnist-2nn"},"rounds":"NaN"}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/jobs', `{"name":"x","model":{"topology":${'['.repeat(5000)}${']'.repeat(5000)}},"rounds":1}`, 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', `/jobs/${jobId}/pause`, '{"force":true}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/jobs/job-missing/stop', '{}', 404, 'NOT_FOUND'],
      ['admin', 'POST', '/deployments', '{"jobId":5,"version":"0","cohort":{}}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/cohorts/rollback', 'null', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', '/deployments/dep-x/rollback', '{"now":1}', 400, 'VALIDATION_FAILED'],
      ['admin', 'POST', `/jobs/${jobId}/models/0/artifacts`, '{"minAccuracy":"high"}', 400, 'VALIDATION_FAILED'],
      ['admin', 'DELETE', '/tokens/tok-missing', '{"a":1}', 400, 'VALIDATION_FAILED'],
      ['admin', 'DELETE', '/join-tokens/jt-missing', undefined, 404, 'NOT_FOUND'],
      ['admin', 'POST', '/devices/c-missing/revoke', '{}', 404, 'NOT_FOUND'],
      ['anonymous', 'POST', '/devices', '{"joinToken":5}', 400, 'VALIDATION_FAILED'],
      ['anonymous', 'POST', '/session', '{"token":{"$gt":""}}', 400, 'VALIDATION_FAILED'],
    ];
    for (const [as, method, path, body, status, code] of cases) {
      const reply = await send(as, method, `/api/v1${path}`, body === undefined ? {} : { body });
      expect([reply.status, reply.code ?? ''], `${as} ${method} ${path} ${body?.slice(0, 60) ?? ''}`).toEqual([status, code]);
    }
  });
});

describe('the REST fuzzer', () => {
  it('finds no 5xx, no undocumented code, no authorisation violation in 300 seeded requests, and the coordinator stays up', async () => {
    const report = await fuzzRest({ url: target.url, requests: 300, seed: 7, credentials: target.credentials, ids: target.ids });
    expect(report.findings).toEqual([]);
    expect(Object.values(report.findingCounts).every((count) => count === 0)).toBe(true);
    expect(report.byStatus['500']).toBeUndefined();
    expect(report.healthyAfter).toBe(true);
    expect(logs.filter((entry) => entry.level >= 50)).toEqual([]);
    // The run reached past the role checks too, not only 401s.
    expect((report.byStatus['200'] ?? 0) + (report.byStatus['201'] ?? 0)).toBeGreaterThan(0);
    expect(report.byCode['VALIDATION_FAILED'] ?? 0).toBeGreaterThan(0);
  });
});
