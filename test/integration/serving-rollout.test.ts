/**
 * Serving and rollout on a real coordinator (port 0, real SQLite, the reference measured in its worker): promotion to a
 * cohort, a canary rolled back automatically on an injected p99 regression, a healthy canary promoted to the whole
 * cohort, manual rollbacks, drift flagged for a client sending inverted MNIST images, and state across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator, inCanary } from '@shoal/server';
import { loadMnist } from '@shoal/data';
import { histogram } from '@shoal/edge';
import { isValidMessage, type DeploymentDriftView, type DeploymentView, type MessageOf } from '@shoal/protocol';
import { AdminApi, trainJob } from '../support/admin-api.js';
import { call, type RawSocket } from '../support/raw-client.js';
import { eventually } from '../support/rest.js';
import { ServingClient, telemetryReport } from '../support/serving-client.js';

type AuditEntryView = MessageOf<'audit-entry'>;

const ADMIN_TOKEN = 'serving-rollout-admin-token';
const COHORT = ['cohort-a'];
const COHORT_CLIENTS = 16;
/** Windows kept per client. */
const TELEMETRY_WINDOWS = 3;
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-serving-'));

let coordinator: Coordinator;
let url: string;
let jobId: string;
let trainers: RawSocket[] = [];
let cohort: ServingClient[] = [];
let others: ServingClient[] = [];

function startCoordinator(port = 0): Promise<{ url: string }> {
  coordinator = new Coordinator({
    port,
    dataDir,
    logger: pino({ level: 'silent' }),
    centralEvaluation: false,
    adminToken: ADMIN_TOKEN,
    serving: { checkIntervalMs: 100, referenceExamples: 500, telemetryWindows: TELEMETRY_WINDOWS },
  });
  return coordinator.start();
}

const admin = new AdminApi(() => url, ADMIN_TOKEN);
const api = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => admin.call<T>(method, path, body);
const get = <T>(path: string) => admin.get<T>(path);

async function promote(body: Record<string, unknown>): Promise<DeploymentView> {
  const reply = await api<DeploymentView>('POST', '/deployments', { jobId, cohort: COHORT, ...body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

async function deployment(id: string): Promise<DeploymentView> {
  const view = await get<DeploymentView>(`/deployments/${id}`);
  expect(isValidMessage('deployment', view)).toBe(true);
  return view;
}
const statusOf = async (id: string) => (await deployment(id)).status;
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeAll(async () => {
  url = (await startCoordinator()).url;
  ({ jobId, trainers } = await trainJob(admin, url, 2));
  for (let i = 0; i < COHORT_CLIENTS; i++) cohort.push(await ServingClient.connect(url, `cohort-${i}`, i % 2 === 0 ? ['cohort-a'] : ['eu', 'cohort-a']));
  others = [await ServingClient.connect(url, 'other-0', ['other']), await ServingClient.connect(url, 'other-1', [])];
});

afterAll(async () => {
  for (const client of [...cohort, ...others]) client.disconnect();
  for (const socket of trainers) socket.disconnect();
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('serving rollout', () => {
  let v1: DeploymentView;

  it('promotes a version to a cohort: only its clients are assigned it', async () => {
    v1 = await promote({ version: 1, telemetryIntervalMs: 5000 });
    expect(v1).toMatchObject({ status: 'serving', version: 1, cohort: COHORT, modelUrl: `/api/v1/jobs/${jobId}/model.json`, weightsUrl: `/api/v1/jobs/${jobId}/models/1/weights` });
    expect(v1.reference).toMatchObject({ examples: 500 });
    expect(v1.reference!.inputHistogram).toHaveLength(16);
    for (const client of cohort) {
      expect(await client.assignedTo(v1.id)).toEqual({ deploymentId: v1.id, jobId, version: 1, modelUrl: v1.modelUrl, weightsUrl: v1.weightsUrl, telemetryIntervalMs: 5000 });
    }
    await settle();
    expect(others.map((client) => client.assignments.length)).toEqual([0, 0]);
    expect((await deployment(v1.id)).clients).toEqual({ assigned: COHORT_CLIENTS, online: COHORT_CLIENTS, canary: 0 });
    // A cohort's serving version is downloadable at the assigned URL.
    const weights = await fetch(`${url}${v1.weightsUrl}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(weights.status).toBe(200);
  });

  it('refuses bad telemetry with codes and stores nothing of it', async () => {
    const [client] = cohort;
    const bad = await client!.report({ errors: 101 });
    expect(bad.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.error?.message).toMatch(/\/errors must be at most requests/);
    expect((await client!.report({ classCounts: [1, 2, 3] })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client!.report({ deploymentId: 'dep-000000000000' })).error?.code).toBe('NOT_ASSIGNED');
    expect((await call(others[0]!.socket, 'telemetry:report', telemetryReport({ deploymentId: v1.id, jobId, version: 1 }))).error?.code).toBe('NOT_ASSIGNED');
    expect((await client!.report({ inputHistogram: [1, 2] })).error?.code).toBe('VALIDATION_FAILED');
    expect((await deployment(v1.id)).telemetry).toMatchObject({ windows: 0 });
  });

  it('keeps only the latest windows of each client', async () => {
    const client = cohort[3]!;
    for (let i = 1; i <= 5; i++) expect((await client.report({ requests: i })).ok).toBe(true);
    expect((await deployment(v1.id)).telemetry).toMatchObject({ windows: TELEMETRY_WINDOWS, requests: 3 + 4 + 5, clients: 1 });
  });

  it('rolls a canary back automatically when its p99 regresses, and gives its clients the previous version back', async () => {
    const canary = await promote({ version: 2, canary: { percent: 40, minReports: 3, observeMs: 600_000, maxP99Ms: 50 } });
    const share = cohort.filter((client) => inCanary(client.id, canary.id, 40));
    const rest = cohort.filter((client) => !inCanary(client.id, canary.id, 40));
    expect(share.length).toBeGreaterThan(0);
    expect(rest.length).toBeGreaterThan(0);
    expect(canary).toMatchObject({ status: 'canary', previousDeploymentId: v1.id, clients: { canary: share.length, assigned: share.length } });
    for (const client of share) expect((await client.assignedTo(canary.id)).version).toBe(2);
    await settle();
    for (const client of rest) expect(client.current?.deploymentId).toBe(v1.id);

    // Baseline clients report healthy windows; the canary's windows have an injected p99 regression.
    for (const client of rest.slice(0, 2)) expect((await client.report()).ok).toBe(true);
    for (const [i, client] of [share[0]!, share[0]!, share.at(-1)!].entries()) {
      expect(await statusOf(canary.id)).toBe('canary');
      expect((await client.report({ latencyMs: { p50: 40, p95: 150, p99: 400 + i, max: 900 } })).ok).toBe(true);
    }
    const rolledBack = await deployment(canary.id);
    expect(rolledBack.status).toBe('rolled_back');
    expect(rolledBack.statusReason).toMatch(/^automatic rollback: canary p99 latency 40\d\.\d ms is above maxP99Ms 50\.0 ms$/);
    expect(rolledBack.history.at(-1)).toMatchObject({ status: 'rolled_back', actor: 'system:rollout' });
    expect(rolledBack.telemetry).toMatchObject({ reports: 3, requests: 300 });
    for (const client of share) expect((await client.assignedTo(v1.id)).version).toBe(1);
    expect(await statusOf(v1.id)).toBe('serving');

    const audit = (await get<{ items: AuditEntryView[] }>('/audit?limit=50')).items;
    expect(audit.find((entry) => entry.action === 'deployment.auto_rollback')).toMatchObject({
      actor: 'system:rollout', target: `deployment:${canary.id}`, outcome: 'success', detail: expect.stringMatching(/p99 latency/),
    });
    expect(audit.filter((entry) => entry.action === 'deployment.create' && entry.outcome === 'success').map((entry) => entry.target)).toEqual(
      expect.arrayContaining([`deployment:${v1.id}`, `deployment:${canary.id}`]),
    );
  });

  let v2: DeploymentView;
  it('promotes a canary without regression to the whole cohort once it was observed long enough', async () => {
    v2 = await promote({ version: 2, canary: { percent: 40, minReports: 2, observeMs: 1500, maxP99Ms: 50, maxP99Ratio: 3 } });
    const share = cohort.filter((client) => inCanary(client.id, v2.id, 40));
    for (const client of share) await client.assignedTo(v2.id);
    expect((await share[0]!.report({ latencyMs: { p50: 5, p95: 10, p99: 14, max: 30 } })).ok).toBe(true);
    expect((await share.at(-1)!.report({ latencyMs: { p50: 5, p95: 10, p99: 16, max: 30 } })).ok).toBe(true);
    expect(await statusOf(v2.id)).toBe('canary');
    await eventually(async () => ((await statusOf(v2.id)) === 'serving' ? true : undefined), 'the canary to serve the whole cohort');
    for (const client of cohort) expect((await client.assignedTo(v2.id)).version).toBe(2);
    expect(await deployment(v1.id)).toMatchObject({ status: 'superseded', statusReason: expect.stringContaining(v2.id) });
    expect((await deployment(v2.id)).clients).toEqual({ assigned: COHORT_CLIENTS, online: COHORT_CLIENTS, canary: 0 });
    const audit = (await get<{ items: AuditEntryView[] }>('/audit?limit=50')).items;
    expect(audit.find((entry) => entry.action === 'deployment.promote')).toMatchObject({ actor: 'system:rollout', target: `deployment:${v2.id}` });
  });

  it('rolls back manually: a deployment to the one before it, and a cohort to any earlier version in one call', async () => {
    const rolled = await api<DeploymentView>('POST', `/deployments/${v2.id}/rollback`);
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({ status: 'rolled_back', statusReason: expect.stringMatching(/^rolled back by admin-token:/) });
    expect(await statusOf(v1.id)).toBe('serving');
    for (const client of cohort) await client.assignedTo(v1.id);
    expect((await api('POST', `/deployments/${v2.id}/rollback`)).status).toBe(409);

    const toV0 = await api<DeploymentView>('POST', '/cohorts/rollback', { cohort: COHORT, jobId, version: 0 });
    expect(toV0.status).toBe(201);
    expect(toV0.body).toMatchObject({ status: 'serving', version: 0, previousDeploymentId: v1.id });
    for (const client of cohort) expect((await client.assignedTo(toV0.body.id)).version).toBe(0);
    expect(await statusOf(v1.id)).toBe('rolled_back');
    const actions = (await get<{ items: AuditEntryView[] }>('/audit?limit=50')).items.map((entry) => `${entry.action} ${entry.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['deployment.rollback success', 'deployment.rollback failure', 'cohort.rollback success']));
    const listed = (await get<{ items: DeploymentView[] }>(`/deployments?jobId=${jobId}&status=serving`)).items;
    expect(listed.map((item) => item.id)).toEqual([toV0.body.id]);
  });

  it('flags drift for a client whose inputs are inverted MNIST images, not for one with ordinary images', async () => {
    const served = await deployment(cohort[0]!.current!.deploymentId);
    const images = loadMnist('test', { limit: 1000 });
    const own = images.features.subarray(500 * 784, 1000 * 784);
    const inverted = own.map((value) => 1 - value);
    const mean = (values: Float32Array) => values.reduce((a, b) => a + b, 0) / values.length;
    const classCounts = served.reference!.classCounts;
    const [normal, shifted] = [cohort[1]!, cohort[2]!];
    expect((await normal.report({ inputHistogram: histogram(own, 16, 0, 1), inputMean: mean(own), classCounts })).ok).toBe(true);
    expect((await shifted.report({ inputHistogram: histogram(inverted, 16, 0, 1), inputMean: mean(inverted), classCounts })).ok).toBe(true);

    const drift = await get<DeploymentDriftView>(`/deployments/${served.id}/drift`);
    expect(isValidMessage('deployment-drift', drift)).toBe(true);
    expect(drift).toMatchObject({ deploymentId: served.id, threshold: 0.25, hasReference: true, total: 2 });
    const byId = new Map(drift.clients.map((client) => [client.clientId, client]));
    expect(byId.get(shifted.id)).toMatchObject({ flagged: true, windows: 1 });
    expect(byId.get(shifted.id)!.inputPsi!).toBeGreaterThan(1);
    expect(byId.get(normal.id)).toMatchObject({ flagged: false });
    expect(byId.get(normal.id)!.inputPsi!).toBeLessThan(0.05);
    expect(drift.clients[0]!.clientId).toBe(shifted.id);
    expect(drift.cohort).toMatchObject({ cohort: COHORT, clients: 2, flagged: true, flaggedClients: 1 });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`shoal_serving_drift_flagged_clients\\{deployment="${served.id}"\\} 1`));
    expect(metrics).toMatch(/shoal_serving_deployments\{status="serving"\} \d/);
  });

  it('keeps deployments and assignments across a coordinator restart', async () => {
    const before = (await get<{ items: DeploymentView[] }>('/deployments')).items.map((item) => [item.id, item.status]);
    const servedId = cohort[0]!.current!.deploymentId;
    const port = Number(new URL(url).port);
    for (const client of [...cohort, ...others]) client.disconnect();
    for (const socket of trainers) socket.disconnect();
    await coordinator.stop();
    url = (await startCoordinator(port)).url;
    expect((await get<{ items: DeploymentView[] }>('/deployments')).items.map((item) => [item.id, item.status])).toEqual(before);
    const back = await ServingClient.connect(url, 'cohort-0', cohort[0]!.labels, cohort[0]!.id);
    cohort = [back];
    others = [];
    trainers = [];
    expect((await back.assignedTo(servedId)).deploymentId).toBe(servedId);
    expect((await back.report()).ok).toBe(true);
  });
});
