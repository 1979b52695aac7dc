/**
 * The agent's optional local inference endpoint, on 127.0.0.1 only: `POST /v1/predict`, `POST /v1/samples` and
 * `GET /v1/status`, JSON in and out, errors as `{ error: { code, message } }` with the code's HTTP status.
 * See docs/edge-serving.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShoalError } from '@shoal/protocol';
import type { ServingService } from './serving-service.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What the endpoint serves: a ShoalClient fits. */
export interface LocalEndpointTarget {
  serving: Pick<ServingService, 'predictMany' | 'status'>;
  addLabelledSample(input: unknown, label: unknown, options?: { predictionId?: string }): { stored: boolean; countedPrediction: boolean };
  readonly labelledSampleCount: number;
}

export interface LocalEndpointOptions {
  /** 0 picks a free port. */
  port: number;
  /** Largest request body accepted (default 1 MiB); larger ones are answered 413. */
  maxBodyBytes?: number;
}

export interface LocalEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

type JsonObject = Record<string, unknown>;

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: unknown): void {
  const failure = ShoalError.from(error);
  send(response, failure.httpStatus, { error: { code: failure.code, message: failure.message } });
}

/** Reads a JSON object body of at most maxBytes; a larger body is drained and refused. */
function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<JsonObject> {
  const tooLarge = () => new ShoalError('PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) {
    request.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > maxBytes) return reject(tooLarge());
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reject(new ShoalError('BAD_REQUEST', 'the request body is not valid JSON'));
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return reject(new ShoalError('BAD_REQUEST', 'the request body must be a JSON object'));
      resolve(body as JsonObject);
    });
  });
}

/** Browsers can reach 127.0.0.1 too: a JSON content type (which needs a CORS preflight we never grant) and a loopback Host keep web pages out. */
function checkLocalRequest(request: IncomingMessage, port: number): void {
  const host = request.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new ShoalError('FORBIDDEN', `Host '${host}' is not this endpoint (127.0.0.1:${port})`);
  if (request.method === 'POST' && !/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new ShoalError('BAD_REQUEST', 'POST bodies must be sent with content-type: application/json');
  }
}

async function route(target: LocalEndpointTarget, request: IncomingMessage, maxBodyBytes: number): Promise<{ status: number; body: unknown }> {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  const key = `${request.method ?? 'GET'} ${path}`;
  if (key === 'GET /v1/status') return { status: 200, body: { ...target.serving.status(), labelledSamples: target.labelledSampleCount } };
  if (key === 'POST /v1/predict') {
    const body = await readJsonBody(request, maxBodyBytes);
    return { status: 200, body: await target.serving.predictMany(body['inputs']) };
  }
  if (key === 'POST /v1/samples') {
    const body = await readJsonBody(request, maxBodyBytes);
    const predictionId = body['predictionId'];
    if (predictionId !== undefined && typeof predictionId !== 'string') throw new ShoalError('VALIDATION_FAILED', 'predictionId must be a string', { details: { field: 'predictionId' } });
    const receipt = target.addLabelledSample(body['input'], body['label'], predictionId === undefined ? {} : { predictionId });
    return { status: 201, body: { ...receipt, labelledSamples: target.labelledSampleCount } };
  }
  throw new ShoalError('NOT_FOUND', `no route ${key}; this endpoint serves GET /v1/status, POST /v1/predict and POST /v1/samples`);
}

/** Starts the endpoint on 127.0.0.1 (never another interface). */
export async function startLocalEndpoint(target: LocalEndpointTarget, options: LocalEndpointOptions): Promise<LocalEndpoint> {
  const { port, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ShoalError('VALIDATION_FAILED', `port must be an integer in [0, 65535], got ${port}`);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw new ShoalError('VALIDATION_FAILED', `maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  let boundPort = port;
  const server = createServer((request, response) => {
    Promise.resolve()
      .then(() => checkLocalRequest(request, boundPort))
      .then(() => route(target, request, maxBodyBytes))
      .then(({ status, body }) => send(response, status, body))
      .catch((error: unknown) => sendError(response, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  boundPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    port: boundPort,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
