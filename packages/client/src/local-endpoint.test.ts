/** The local inference endpoint, as a real HTTP server on 127.0.0.1, in front of a real SDK client and tfjs model. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@shoal/ml';
import { ShoalClient } from './shoal-client.js';
import { startLocalEndpoint, type LocalEndpoint } from './local-endpoint.js';
import { exampleValues, smallClassifier } from './testing/small-classifier.js';

const train = { features: new Float32Array(2 * 784), labels: Uint8Array.of(0, 1), count: 2, featureShape: [28, 28, 1], numClasses: 10 };
const client = new ShoalClient({ coordinatorUrl: 'http://127.0.0.1:9', name: 'endpoint-test', train });
let endpoint: LocalEndpoint;
const [x0, x1, x2] = exampleValues(3, 784, 5).map((x) => Array.from(x));

interface Reply {
  status: number;
  body: any;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Reply> {
  const response = await fetch(`${endpoint.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  await initBackend({ log: () => undefined });
  endpoint = await startLocalEndpoint(client, { port: 0, maxBodyBytes: 64 * 1024 });
});

afterAll(async () => {
  await endpoint.close();
  await client.stop();
});

describe('local inference endpoint', () => {
  it('listens on 127.0.0.1 and answers 503 until a version is served', async () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await call('GET', '/v1/status')).toEqual({ status: 200, body: { serving: false, labelledSamples: 0 } });
    expect(await call('POST', '/v1/predict', { inputs: x0 })).toEqual({
      status: 503,
      body: { error: { code: 'UNAVAILABLE', message: 'no model version is served yet: the coordinator has not assigned one to this client' } },
    });
  });

  it('predicts one example or a batch with the served version', async () => {
    client.serving.install(smallClassifier(4), { deploymentId: 'dep-7', jobId: 'job-7', version: 3 });
    const single = await call('POST', '/v1/predict', { inputs: x0 });
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({ deploymentId: 'dep-7', jobId: 'job-7', version: 3, predictions: [{ classId: expect.any(Number), predictionId: expect.any(String) }] });
    expect(single.body.predictions[0].probabilities).toHaveLength(10);
    const nested = (x: number[]) => Array.from({ length: 28 }, (_, r) => x.slice(r * 28, r * 28 + 28));
    const batch = await call('POST', '/v1/predict', { inputs: [x0, nested(x1!), x2] });
    expect(batch.status).toBe(200);
    expect(batch.body.predictions).toHaveLength(3);
    expect(batch.body.predictions[0].probabilities).toEqual(single.body.predictions[0].probabilities);
    expect(await call('GET', '/v1/status')).toMatchObject({ status: 200, body: { serving: true, deploymentId: 'dep-7', version: 3, inputShape: [28, 28, 1], numClasses: 10 } });
  });

  it('refuses bad requests with a code and the matching status', async () => {
    const expectError = (reply: Reply, status: number, code: string) => {
      expect(reply.status).toBe(status);
      expect(reply.body.error.code).toBe(code);
      expect(typeof reply.body.error.message).toBe('string');
    };
    expectError(await call('POST', '/v1/predict', { inputs: x0!.slice(1) }), 400, 'SHAPE_MISMATCH');
    expectError(await call('POST', '/v1/predict', { inputs: [...x0!.slice(1), 'x'] }), 400, 'VALIDATION_FAILED');
    expectError(await call('POST', '/v1/predict', { pixels: x0 }), 400, 'VALIDATION_FAILED');
    expectError(await call('POST', '/v1/predict', '{"inputs": [1, 2'), 400, 'BAD_REQUEST');
    expectError(await call('POST', '/v1/predict', { inputs: x0 }, { 'content-type': 'text/plain' }), 400, 'BAD_REQUEST');
    expectError(await call('POST', '/v1/predict', { inputs: new Array(300).fill([0]) }), 413, 'PAYLOAD_TOO_LARGE');
    // Larger than the 64 KiB body limit: refused without parsing.
    expectError(await call('POST', '/v1/predict', { inputs: new Array(20_000).fill(0.123456) }), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await call('GET', '/v1/predict'), 404, 'NOT_FOUND');
    expectError(await call('DELETE', '/v1/status'), 404, 'NOT_FOUND');
  });

  it('refuses a Host that is not the loopback endpoint (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${endpoint.url}/v1/status`, { headers: { host: `evil.example:${endpoint.port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });

  it('stores labelled samples for training and counts a served prediction into on-device accuracy', async () => {
    const predicted = (await call('POST', '/v1/predict', { inputs: x1 })).body.predictions[0];
    const stored = await call('POST', '/v1/samples', { input: x1, label: predicted.classId, predictionId: predicted.predictionId });
    expect(stored).toEqual({ status: 201, body: { stored: true, countedPrediction: true, labelledSamples: 1 } });
    expect(await call('POST', '/v1/samples', { input: x2, label: 3 })).toEqual({ status: 201, body: { stored: true, countedPrediction: false, labelledSamples: 2 } });
    const badLabel = await call('POST', '/v1/samples', { input: x2, label: 10 });
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.error.message).toMatch(/label must be an integer class in \[0, 10\)/);
    expect((await call('POST', '/v1/samples', { input: x2, label: 1, predictionId: 7 })).status).toBe(400);
    expect((await call('GET', '/v1/status')).body.labelledSamples).toBe(2);
    expect(client.labelledSampleCount).toBe(2);
  });
});
