/**
 * Sends one HTTP request exactly as the fuzzer built it (raw path, any headers, a lying Content-Length) and reports
 * what came back. node:http rather than fetch, which would normalise the path and refuse to lie about lengths.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/**
 * How the body is framed. `exact` and `chunked` are honest. `over-limit` declares a Content-Length far above any
 * body limit, sends only `body`, and waits for the answer: a server must refuse without reading what never comes.
 * `abort` declares more than it sends, waits until the server reads the body (100-continue), sends part and hangs up.
 */
export type Framing = 'exact' | 'chunked' | 'over-limit' | 'abort';

export interface RawRequest {
  method: string;
  /** Sent as is: not normalised, not re-encoded. */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  framing: Framing;
}

export type RawOutcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer }
  | { kind: 'aborted' }
  | { kind: 'no-response'; error: string }
  | { kind: 'hang' };

/** 1 TB: no coordinator is configured to take a body this size. */
export const OVER_LIMIT_BYTES = 10 ** 12;
const ABORT_MISSING_BYTES = 4096;

export function sendRaw(base: URL, raw: RawRequest, options: { agent: Agent; hangGuardMs: number }): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const body = raw.body ?? new Uint8Array(0);
    const headers: Record<string, string> = { ...raw.headers };
    if (raw.framing === 'exact' && (raw.body !== undefined || raw.method === 'POST')) headers['content-length'] = String(body.length);
    if (raw.framing === 'chunked') headers['transfer-encoding'] = 'chunked';
    if (raw.framing === 'over-limit') headers['content-length'] = String(OVER_LIMIT_BYTES);
    if (raw.framing === 'abort') {
      headers['content-length'] = String(body.length + ABORT_MISSING_BYTES);
      headers['expect'] = '100-continue';
    }
    const honest = raw.framing === 'exact' || raw.framing === 'chunked';
    // A lying request leaves its connection unusable, so it gets one of its own.
    const request = httpRequest({ host: base.hostname, port: base.port, method: raw.method, path: raw.path, headers, agent: honest ? options.agent : false });
    let settled = false;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      if (!honest) request.destroy();
      resolve(outcome);
    };
    // A hang guard, not a deadline: only a server that never answers reaches it.
    const guard = setTimeout(() => {
      request.destroy();
      finish({ kind: 'hang' });
    }, options.hangGuardMs);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish({ kind: 'response', status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => finish({ kind: 'no-response', error: error.message }));
    });
    request.on('error', (error) => finish(raw.framing === 'abort' ? { kind: 'aborted' } : { kind: 'no-response', error: error.message }));
    if (raw.framing === 'abort') {
      // 100 Continue comes once the server dispatched the request; whatever reads the body is then waiting for it.
      request.on('continue', () => request.write(body, () => finish({ kind: 'aborted' })));
      request.flushHeaders();
      return;
    }
    if (raw.framing === 'over-limit') {
      request.write(body);
      return;
    }
    if (raw.framing === 'chunked') {
      const middle = Math.floor(body.length / 2);
      request.write(body.subarray(0, middle));
      request.end(body.subarray(middle));
      return;
    }
    request.end(body);
  });
}
