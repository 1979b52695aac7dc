/**
 * Edge artifacts against a real coordinator (in process, port 0, real SQLite, the builder in its worker thread): a 2NN
 * trained for a few rounds by SDK clients, then an artifact accepted at a reachable minimum accuracy, consistent across
 * its record, model.json and weights, and one refused at an unreachable minimum without leaving a row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import type { ShoalClient } from '@shoal/client';
import { decodeFrame } from '@shoal/codec';
import { loadMnist } from '@shoal/data';
import { evaluateModel, modelFromTopology, setWeights } from '@shoal/ml';
import { parseMessage, type ArtifactView, type JobView, type TensorSpec } from '@shoal/protocol';
import { startSdkFleet } from '../support/sdk-fleet.js';
import { eventually, request, type RestReply } from '../support/rest.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const ADMIN_TOKEN = 'edge-artifacts-admin-token';
const HELD_OUT = 1000;
const dir = mkdtempSync(join(tmpdir(), 'shoal-edge-'));
const coordinator = new Coordinator({ port: 0, dataDir: dir, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN });
const clients: ShoalClient[] = [];
let url: string;
let job: JobView;

/** Every request carries the admin token, reads included. */
function api<T>(path: string, init: RequestInit = {}): Promise<RestReply<T>> {
  return request<T>(`${url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers } });
}

const buildArtifact = (body: unknown) => api<ArtifactView & { error?: { code: string; details: { candidates: { name: string; accuracy: number }[] } } }>(`/jobs/${job.id}/models/${job.latestModelVersion}/artifacts`, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  ({ url } = await coordinator.start());
  clients.push(...(await startSdkFleet(url, { count: 2, examplesPerClient: 1000, namePrefix: 'edge' })));
  const created = await api<JobView>('/jobs', { method: 'POST', body: JSON.stringify({ name: 'edge-2nn', model: { preset: 'mnist-2nn' }, rounds: 3, minFitClients: 2, learningRate: 0.1, batchSize: 32, roundDeadlineMs: ROUND_DEADLINE_MS }) });
  expect(created.status).toBe(201);
  job = await eventually(async () => {
    const view = (await api<JobView>(`/jobs/${created.body.id}`)).body;
    return view.status === 'running' ? undefined : view;
  }, 'the job to finish');
  expect([job.status, job.latestModelVersion]).toEqual(['completed', 3]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('edge artifacts over REST', () => {
  it('accepts an artifact at a reachable minimum accuracy; its record, model.json and weights agree and reproduce its accuracy', async () => {
    const built = await buildArtifact({ minAccuracy: 0.5, heldOutExamples: HELD_OUT, structuredFractions: [0.5], latencySamples: 30 });

    expect(built.status).toBe(201);
    const artifact = parseMessage('artifact', built.body);
    expect(artifact).toMatchObject({ jobId: job.id, version: 3, codec: { id: 'int8-channel' }, minAccuracy: 0.5, heldOutExamples: HELD_OUT });
    expect(artifact.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(artifact.candidates.map((candidate) => candidate.name)).toContain(artifact.candidate);
    expect(artifact.sizeBytes).toBeLessThan(artifact.base.sizeBytes * 0.27);
    expect((await api<ArtifactView>(`/artifacts/${artifact.id}`)).body).toEqual(artifact);
    expect((await api<{ items: ArtifactView[] }>(`/artifacts?jobId=${job.id}`)).body.items.map((item) => item.id)).toEqual([artifact.id]);

    const document = (await api<{ format: string; modelTopology: Record<string, unknown>; tensors: TensorSpec[] }>(`/artifacts/${artifact.id}/model.json`)).body;
    const response = await fetch(`${url}${artifact.weightsUrl}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const frame = new Uint8Array(await response.arrayBuffer());
    expect(frame.length).toBe(artifact.sizeBytes);
    const { header, tensors } = decodeFrame(frame, { expected: document.tensors, expectedKind: 'weights' });
    expect(header.codec.id).toBe('int8-channel');
    expect(document.format).toBe('layers-model');
    const model = await modelFromTopology(document.modelTopology);
    setWeights(model, tensors);
    const { accuracy } = await evaluateModel(model, loadMnist('test', { limit: HELD_OUT }));
    model.dispose();
    expect(Math.abs(accuracy - artifact.accuracy)).toBeLessThanOrEqual(1 / HELD_OUT);
  });

  it('refuses an unreachable minimum accuracy with 422 ARTIFACT_BELOW_MIN_ACCURACY, listing each candidate, and stores nothing', async () => {
    const before = coordinator.store.artifacts.count();

    const refused = await buildArtifact({ minAccuracy: 0.999, heldOutExamples: HELD_OUT, structuredFractions: [0.5], latencySamples: 10 });

    expect(refused.status).toBe(422);
    expect(refused.body.error!.code).toBe('ARTIFACT_BELOW_MIN_ACCURACY');
    expect(refused.body.error!.details.candidates.length).toBeGreaterThanOrEqual(4);
    expect(refused.body.error!.details.candidates.every((candidate) => candidate.accuracy < 0.999)).toBe(true);
    expect(coordinator.store.artifacts.count()).toBe(before);
    expect((await api<{ items: ArtifactView[] }>('/artifacts')).body.items).toHaveLength(before);
    const audit = (await api<{ items: { action: string; outcome: string; errorCode?: string }[] }>('/audit?limit=5')).body.items;
    expect(audit.find((entry) => entry.action === 'artifact.build')).toMatchObject({ outcome: 'failure', errorCode: 'ARTIFACT_BELOW_MIN_ACCURACY' });
  });

  it('refuses a build without credentials, with a bad body, or of a version that does not exist', async () => {
    const anonymous = await request(`${url}/api/v1/jobs/${job.id}/models/3/artifacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"minAccuracy":0.5}' });
    const badBody = await buildArtifact({ minAccuracy: 2 });
    const missing = await api<{ error: { code: string } }>(`/jobs/${job.id}/models/99/artifacts`, { method: 'POST', body: JSON.stringify({ minAccuracy: 0.5 }) });

    expect(anonymous.status).toBe(401);
    expect([badBody.status, badBody.body.error!.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await api<{ error: { code: string } }>('/artifacts/art-missing')).status).toBe(404);
  });
});
