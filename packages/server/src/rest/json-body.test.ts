/** Reading JSON bodies through a real Express app (port 0): every way a body can be wrong is a 4xx that says how, and an aborted one is logged at debug. */
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorMetrics } from '../metrics.js';
import { errorHandler } from './errors.js';
import { jsonBody, noBody } from './json-body.js';

const LIMIT = 4096;
const logLines: { level: number; msg: string }[] = [];
let onLog: ((line: { level: number; msg: string }) => void) | undefined;
function capture(text: string): void {
  const line = JSON.parse(text) as { level: number; msg: string };
  logLines.push(line);
  onLog?.(line);
}
const logger = pino({ level: 'debug' }, { write: capture });
let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.post('/echo', jsonBody(LIMIT), (request, response) => void response.json({ body: request.body as unknown }));
  app.post('/action', jsonBody(LIMIT), noBody('POST /action'), (_request, response) => void response.json({ ok: true }));
  app.use(errorHandler(logger, new CoordinatorMetrics()));
  server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs raw bytes; `declaredLength` lies about the length (the body is then not sent, and the answer comes anyway). */
function post(path: string, body: Uint8Array | string, headers: Record<string, string> = {}, declaredLength?: number): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-type': 'application/json', 'content-length': String(declaredLength ?? bytes.length), ...headers } });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) });
      });
    });
    request.on('error', reject);
    if (declaredLength === undefined) request.end(bytes);
    else request.flushHeaders();
  });
}

const json = JSON.stringify({ name: 'x', nested: [1, 2] });

describe('jsonBody', () => {
  it('reads identity, gzip, deflate and br bodies', async () => {
    for (const [encoding, bytes] of [['identity', Buffer.from(json)], ['gzip', gzipSync(json)], ['deflate', deflateSync(json)], ['br', brotliCompressSync(json)]] as const) {
      expect(await post('/echo', bytes, { 'content-encoding': encoding }), encoding).toEqual({ status: 200, body: { body: JSON.parse(json) } });
    }
  });

  it('refuses corrupt and truncated compressed bodies with BAD_REQUEST naming the encoding', async () => {
    const cases: [string, Uint8Array][] = [
      ['gzip', Buffer.from('not gzip at all')],
      ['gzip', gzipSync(json).subarray(0, 12)],
      ['deflate', Buffer.from([0x1f, 0x8b, 1, 2, 3])],
      ['br', Buffer.from('definitely not brotli')],
    ];
    for (const [encoding, bytes] of cases) {
      const reply = await post('/echo', bytes, { 'content-encoding': encoding });
      expect([reply.status, reply.body.error.code], encoding).toEqual([400, 'BAD_REQUEST']);
      expect(reply.body.error.message).toContain(`not valid ${encoding} data`);
    }
  });

  it('maps every other body failure to a 4xx code that says what is wrong', async () => {
    const unsupported = await post('/echo', json, { 'content-encoding': 'compress' });
    expect([unsupported.status, unsupported.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    expect(unsupported.body.error.message).toMatch(/Content-Encoding 'compress' is not supported/);
    const charset = await post('/echo', json, { 'content-type': 'application/json; charset=latin1' });
    expect([charset.status, charset.body.error.message]).toEqual([400, "charset 'latin1' is not supported; send JSON in UTF-8"]);
    const notJson = await post('/echo', '{"name": ');
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    expect(notJson.body.error.message).toMatch(/^request body is not valid JSON: /);
    const large = await post('/echo', JSON.stringify({ x: 'a'.repeat(LIMIT) }));
    expect([large.status, large.body.error.code, large.body.error.message]).toEqual([413, 'PAYLOAD_TOO_LARGE', `request body of ${LIMIT + 8} bytes exceeds the limit of ${LIMIT} bytes`]);
    // Small as sent, too large once decompressed: refused while it is read.
    const inflated = await post('/echo', gzipSync(JSON.stringify({ x: 'a'.repeat(10 * LIMIT) })), { 'content-encoding': 'gzip' });
    expect([inflated.status, inflated.body.error.code, inflated.body.error.message]).toEqual([413, 'PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${LIMIT} bytes`]);
  });

  it('refuses a declared length over the limit at once, without waiting for a body that never comes', async () => {
    const reply = await post('/echo', '', {}, 10 ** 12);
    expect([reply.status, reply.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(reply.body.error.message).toContain('1000000000000 bytes');
  });

  it('logs a body the client stopped sending at debug level, as BAD_REQUEST, never as an error', async () => {
    const logged = new Promise<{ level: number; msg: string }>((resolve) => {
      onLog = (line) => line.msg.includes('closed the connection') && resolve(line);
    });
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent: false, headers: { 'content-type': 'application/json', 'content-length': '1000', expect: '100-continue' } });
    request.on('error', () => undefined);
    // 100 Continue means the request reached the app and the body is being waited for: then send part and hang up.
    request.on('continue', () => request.write('{"name": "par', () => request.destroy()));
    request.flushHeaders();
    const line = await logged;
    onLog = undefined;
    expect(line).toMatchObject({ level: 20, msg: 'the client closed the connection before the request body was complete' });
    expect(logLines.filter((entry) => entry.level >= 50)).toEqual([]);
  });
});

describe('noBody', () => {
  it('accepts no body or {}, and names the fields of anything else', async () => {
    expect((await post('/action', '{}')).status).toBe(200);
    expect((await post('/action', '', { 'content-type': 'text/plain' })).status).toBe(200);
    const fields = await post('/action', '{"force": true, "reason": "x"}');
    expect([fields.status, fields.body.error.code, fields.body.error.message]).toEqual([400, 'VALIDATION_FAILED', 'POST /action takes no body: /force is not an allowed property; /reason is not an allowed property']);
    expect(fields.body.error.details.problems).toEqual([{ field: '/force', message: 'is not an allowed property' }, { field: '/reason', message: 'is not an allowed property' }]);
    expect((await post('/action', '[1]')).body.error.code).toBe('VALIDATION_FAILED');
  });
});
