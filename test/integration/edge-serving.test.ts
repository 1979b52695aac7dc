/**
 * Edge serving end to end: a real coordinator (port 0, temp SQLite) and real SDK clients. Labelled samples collected
 * on the devices join the next training round; the trained version is promoted; the clients download and serve it,
 * answer predictions (one through its local HTTP endpoint) and report telemetry the coordinator stores; a client fed
 * inverted MNIST images is flagged for drift while a normal one is not; a new promotion swaps versions under
 * concurrent predictions without a failed call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { ShoalClient, startLocalEndpoint, type LocalEndpoint, type SinglePrediction } from '@shoal/client';
import { loadMnist } from '@shoal/data';
import type { ContributionView, DeploymentDriftView, DeploymentView, JobView } from '@shoal/protocol';
import { shardExamples } from '../support/sdk-fleet.js';
import { eventually, getJson, postJson, request, useBearerToken } from '../support/rest.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const ADMIN_TOKEN = 'edge-serving-admin-token';
const TRAIN_EXAMPLES = 200;
const LABELLED_SAMPLES = 12;
const IMAGES = 300;

const dir = mkdtempSync(join(tmpdir(), 'shoal-edge-serving-'));
let coordinator: Coordinator;
let url: string;
let endpoint: LocalEndpoint;
const clients: ShoalClient[] = [];
const problems: unknown[] = [];
// Images the devices see at inference time: MNIST training images (not the coordinator's reference test images).
const images = loadMnist('train', { limit: IMAGES });
const image = (i: number) => images.features.subarray(i * 784, (i + 1) * 784);
const inverted = (i: number) => Array.from(image(i), (value) => 1 - value);

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir: join(dir, 'coordinator'), logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN });
  url = (await coordinator.start()).url;
  useBearerToken(ADMIN_TOKEN);
  for (const [i, name] of ['normal', 'inverted'].entries()) {
    clients.push(new ShoalClient({
      coordinatorUrl: url,
      name,
      train: shardExamples(i, 2, TRAIN_EXAMPLES),
      stateDir: join(dir, name),
      seed: 1,
      serving: { microBatch: { maxBatch: 16, maxWaitMs: 2 } },
    }));
    clients[i]!.on('refused', (refusal) => problems.push(refusal));
    clients[i]!.on('warning', (warning) => problems.push(warning));
  }
  const registered = clients.map((client) => new Promise((resolve) => client.once('registered', resolve)));
  await Promise.all(clients.map((client) => client.start()));
  await Promise.all(registered);
  endpoint = await startLocalEndpoint(clients[1]!, { port: 0 });
});

afterAll(async () => {
  await endpoint?.close();
  await Promise.all(clients.map((client) => client.stop()));
  await coordinator?.stop();
  useBearerToken(undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function promote(jobId: string, version: number): Promise<DeploymentView> {
  const created = await postJson<DeploymentView>(`${url}/api/v1/deployments`, { jobId, version, cohort: [], telemetryIntervalMs: 1000 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

function servingDeployment(client: ShoalClient, deploymentId: string): Promise<true> {
  return eventually(async () => (client.serving.status().deploymentId === deploymentId ? true : undefined), `${client.clientId} to serve ${deploymentId}`);
}

describe('edge serving with a real coordinator', () => {
  let jobId: string;
  let deployment: DeploymentView;

  it('trains on the labelled samples the devices collected, in the next round', async () => {
    const labelled = loadMnist('test', { limit: LABELLED_SAMPLES });
    for (const client of clients) {
      for (let i = 0; i < LABELLED_SAMPLES; i++) client.addLabelledSample(labelled.features.subarray(i * 784, (i + 1) * 784), labelled.labels[i]);
    }
    const created = await postJson<JobView>(`${url}/api/v1/jobs`, {
      name: 'edge-serving', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 2, learningRate: 0.1, batchSize: 20, roundDeadlineMs: ROUND_DEADLINE_MS,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    jobId = created.body.id;
    const job = await eventually(async () => {
      const view = await getJson<JobView>(`${url}/api/v1/jobs/${jobId}`);
      return view.status === 'running' ? undefined : view;
    }, 'the training round');
    expect(job.status).toBe('completed');
    const contributions = (await getJson<{ items: ContributionView[] }>(`${url}/api/v1/jobs/${jobId}/rounds/1/contributions`)).items;
    expect(contributions.map((c) => c.numExamples)).toEqual([TRAIN_EXAMPLES + LABELLED_SAMPLES, TRAIN_EXAMPLES + LABELLED_SAMPLES]);
  });

  it('promotes a version that every client downloads, serves and reports telemetry for', async () => {
    deployment = await promote(jobId, 1);
    await Promise.all(clients.map((client) => servingDeployment(client, deployment.id)));
    expect(clients[0]!.serving.status()).toMatchObject({ serving: true, jobId, version: 1, inputShape: [784], numClasses: 10 });

    // The normal client through the SDK (labelling a few of its answers), the other through its local endpoint.
    const answers: SinglePrediction[] = await Promise.all(Array.from({ length: IMAGES }, (_, i) => clients[0]!.serving.predict(image(i))));
    for (let i = 0; i < 20; i++) clients[0]!.addLabelledSample(image(i), images.labels[i], { predictionId: answers[i]!.predictionId });
    for (let start = 0; start < IMAGES; start += 50) {
      const reply = await fetch(`${endpoint.url}/v1/predict`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: Array.from({ length: 50 }, (_, k) => inverted(start + k)) }),
      });
      expect(reply.status).toBe(200);
    }
    // The model learned something in one round: better than chance on the images it predicted.
    const correct = answers.filter((answer, i) => answer.classId === images.labels[i]).length;
    expect(correct / IMAGES).toBeGreaterThan(0.3);

    const stored = await eventually(async () => {
      const view = await getJson<DeploymentView>(`${url}/api/v1/deployments/${deployment.id}`);
      return view.telemetry.requests >= 2 * IMAGES && view.telemetry.labelled >= 20 ? view : undefined;
    }, 'telemetry of both clients');
    expect(stored.telemetry).toMatchObject({ clients: 2, requests: 2 * IMAGES, errors: 0, labelled: 20 });
    expect(stored.telemetry.accuracy).toBeCloseTo(answers.slice(0, 20).filter((answer, i) => answer.classId === images.labels[i]).length / 20, 6);
    expect(stored.telemetry.latencyMs?.p99).toBeGreaterThan(0);
  });

  it('flags the client fed inverted images for drift and not the normal one', async () => {
    const drift = await getJson<DeploymentDriftView>(`${url}/api/v1/deployments/${deployment.id}/drift`);
    expect(drift.hasReference).toBe(true);
    const byClient = new Map(drift.clients.map((entry) => [entry.clientId, entry]));
    const normal = byClient.get(clients[0]!.clientId!)!;
    const shifted = byClient.get(clients[1]!.clientId!)!;
    expect(shifted).toMatchObject({ flagged: true });
    expect(normal).toMatchObject({ flagged: false });
    expect(shifted.inputPsi!).toBeGreaterThan(drift.threshold);
    expect(normal.inputPsi!).toBeLessThan(drift.threshold);
  });

  it('swaps to a newly promoted deployment under concurrent predictions without a failed call', async () => {
    const client = clients[0]!;
    let promoting = true;
    const versionsSeen = new Set<string>();
    const failures: unknown[] = [];
    const caller = async (seed: number) => {
      for (let n = 0; promoting; n++) {
        await client.serving.predict(image((seed * 31 + n) % IMAGES)).then((answer) => versionsSeen.add(answer.deploymentId), (error: unknown) => failures.push(error));
        if (n % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    const callers = Array.from({ length: 8 }, (_, i) => caller(i));
    const next = await promote(jobId, 0);
    await servingDeployment(client, next.id);
    // Keep predicting until the new deployment has answered (progress, not a fixed time: a loaded machine only waits longer).
    await eventually(async () => (versionsSeen.has(next.id) || failures.length > 0 ? true : undefined), 'a prediction answered by the new deployment');
    promoting = false;
    await Promise.all(callers);

    expect(failures).toEqual([]);
    expect([...versionsSeen].sort()).toEqual([deployment.id, next.id].sort());
    expect(await getJson<DeploymentView>(`${url}/api/v1/deployments/${deployment.id}`)).toMatchObject({ status: 'superseded' });
    // The other client swapped too, and its local endpoint says so.
    await servingDeployment(clients[1]!, next.id);
    expect(await request(`${endpoint.url}/v1/status`)).toMatchObject({ status: 200, body: { serving: true, deploymentId: next.id, version: 0 } });
    // No assignment, download or telemetry report was refused along the way.
    expect(problems).toEqual([]);
  });
});
