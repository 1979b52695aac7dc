/**
 * The spine end to end: a real coordinator process on a random port, three real agent processes over loopback,
 * real tfjs training on real MNIST, a real SQLite file, and a restart on the same data directory. The agents enrol as
 * devices with a join token and sign their uploads; the coordinator accepts enrolled devices only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage, type ClientView, type ContributionView, type DeviceView, type JobView, type MessageName, type ModelVersionView, type RoundView } from '@shoal/protocol';
import { decodeFrame } from '@shoal/codec';
import { AGENT_BIN, startCoordinator, startProgram, type Started } from '../../apps/demo/src/processes.js';
import { downloadBytes, eventually, getJson, postJson, useBearerToken } from '../support/rest.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const AGENTS = 3;
const ADMIN_TOKEN = 'federated-training-admin-token';
useBearerToken(ADMIN_TOKEN);
const PARAMETERS_2NN = 199_210;

describe('federated training with real processes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-it-'));
  const coordinatorDir = join(dataDir, 'coordinator');
  let coordinator: Started & { url: string };
  const agents: Started[] = [];
  let job: JobView;

  const agentArgs = (i: number, url: string, joinToken: string) => [
    '--coordinator', url, '--shard', `${i}/${AGENTS}`, '--max-examples', '1500', '--eval-fraction', '0.2',
    '--state-dir', join(dataDir, `agent-${i}`), '--name', `agent-${i}`, '--join-token', joinToken,
  ];

  beforeAll(async () => {
    coordinator = await startCoordinator(coordinatorDir, { extraArgs: ['--admin-token', ADMIN_TOKEN, '--require-enrolment'] });
    // The agents enrol as devices with one join token (one use each) and sign every upload.
    const joinToken = await postJson<{ token: string }>(`${coordinator.url}/api/v1/join-tokens`, { uses: AGENTS, ttlMs: 600_000, labels: ['it-fleet'] });
    expect(joinToken.status).toBe(201);
    for (let i = 0; i < AGENTS; i++) agents.push(startProgram(AGENT_BIN, agentArgs(i, coordinator.url, joinToken.body.token), join(dataDir, `agent-${i}.log`)));
    await eventually(async () => {
      const clients = await getJson<{ online: number }>(`${coordinator.url}/api/v1/clients`);
      return clients.online === AGENTS ? true : undefined;
    }, 'three agents to register');
  });

  afterAll(async () => {
    await Promise.all([...agents, coordinator].map((p) => p.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs two rounds, improves the global model and stores every version', async () => {
    const created = await postJson<JobView>(`${coordinator.url}/api/v1/jobs`, {
      name: 'it-2nn',
      model: { preset: 'mnist-2nn' },
      rounds: 2,
      minFitClients: AGENTS,
      fractionEvaluate: 1,
      learningRate: 0.1,
      batchSize: 32,
      evaluation: { dataset: 'mnist-test', limit: 2000 },
      roundDeadlineMs: ROUND_DEADLINE_MS,
      requireEnrolledDevices: true,
    });
    expect(created.status).toBe(201);
    job = created.body;
    job = await eventually(async () => {
      const view = await getJson<JobView>(`${coordinator.url}/api/v1/jobs/${job.id}`);
      return view.status === 'running' ? undefined : view;
    }, 'the job to finish');

    expect(job.status).toBe('completed');
    expect(job.summary.roundsCompleted).toBe(2);
    const rounds = (await getJson<{ items: RoundView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/rounds`)).items;
    expect(rounds.map((r) => [r.round, r.status, r.reported])).toEqual([[1, 'completed', AGENTS], [2, 'completed', AGENTS]]);
    // The global model improved: test loss fell between rounds and accuracy is far above chance (10%).
    expect(rounds[1]!.metrics.centralLoss!).toBeLessThan(rounds[0]!.metrics.centralLoss!);
    expect(rounds[1]!.metrics.centralAccuracy!).toBeGreaterThan(0.8);
    expect(rounds[1]!.metrics.federatedAccuracy!).toBeGreaterThan(0.7);
    expect(rounds[1]!.metrics.federatedExamples).toBe(AGENTS * 300);
    // With fractionEvaluate 1 every agent downloads each new version to evaluate it: those bytes count in the round.
    for (const { metrics } of rounds) {
      const fitBytesDown = metrics.clientBytes!.reduce((sum, client) => sum + client.bytesDown, 0);
      expect(metrics.bytesDown! - fitBytesDown).toBeGreaterThan(0);
    }

    const versions = (await getJson<{ items: ModelVersionView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/models`)).items;
    expect(versions.map((v) => [v.version, v.round ?? null, v.parentVersion ?? null])).toEqual([[0, null, null], [1, 1, 0], [2, 2, 1]]);

    // Each upload is an int8 delta: at most 27% of the same delta in float32.
    const contributions = (await getJson<{ items: ContributionView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/rounds/1/contributions`)).items;
    expect(contributions).toHaveLength(AGENTS);
    for (const contribution of contributions) {
      expect(contribution.status).toBe('accepted');
      expect(contribution.numExamples).toBe(1200);
      expect(contribution.bytesUp!).toBeLessThanOrEqual(0.27 * PARAMETERS_2NN * 4);
      expect(contribution.bytesDown!).toBeGreaterThan(PARAMETERS_2NN * 4);
    }
    expect(rounds[0]!.metrics.compressionRatio!).toBeGreaterThan(1 / 0.27);

    // Every agent is an enrolled device with an owner-only key, labelled by its join token; the token is used up.
    const devices = (await getJson<{ items: DeviceView[] }>(`${coordinator.url}/api/v1/devices`)).items;
    expect(devices.map((d) => d.clientId).sort()).toEqual(contributions.map((c) => c.clientId).sort());
    expect(devices.every((d) => d.labels.includes('it-fleet') && d.revokedAt === undefined)).toBe(true);
    for (let i = 0; i < AGENTS; i++) expect(statSync(join(dataDir, `agent-${i}`, 'device-key.json')).mode & 0o777).toBe(0o600);
    const tokens = (await getJson<{ items: { usesLeft: number }[] }>(`${coordinator.url}/api/v1/join-tokens`)).items;
    expect(tokens.map((t) => t.usesLeft)).toEqual([0]);

    // Every REST view the coordinator produced conforms to its protocols/v1 schema.
    const clients = (await getJson<{ items: ClientView[] }>(`${coordinator.url}/api/v1/clients`)).items;
    const views: [MessageName, unknown[]][] = [['job', [job]], ['round', rounds], ['model-version', versions], ['contribution', contributions], ['client', clients], ['device', devices]];
    for (const [schema, items] of views) for (const item of items) parseMessage(schema, item);
  });

  it('keeps the job, rounds and model versions across a restart on the same data directory', async () => {
    const before = {
      job: await getJson<JobView>(`${coordinator.url}/api/v1/jobs/${job.id}`),
      rounds: await getJson<{ items: RoundView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/rounds`),
      versions: await getJson<{ items: ModelVersionView[] }>(`${coordinator.url}/api/v1/jobs/${job.id}/models`),
      weights: await downloadBytes(`${coordinator.url}/api/v1/jobs/${job.id}/models/2/weights`),
      clients: await getJson<{ items: ClientView[] }>(`${coordinator.url}/api/v1/clients`),
    };
    const port = Number(new URL(coordinator.url).port);
    await coordinator.stop();
    coordinator = await startCoordinator(coordinatorDir, { port, extraArgs: ['--require-enrolment'] });

    expect(await getJson<JobView>(`${coordinator.url}/api/v1/jobs/${job.id}`)).toEqual(before.job);
    expect(await getJson(`${coordinator.url}/api/v1/jobs/${job.id}/rounds`)).toEqual(before.rounds);
    expect(await getJson(`${coordinator.url}/api/v1/jobs/${job.id}/models`)).toEqual(before.versions);
    const weights = await downloadBytes(`${coordinator.url}/api/v1/jobs/${job.id}/models/2/weights`);
    const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    expect(hash(weights)).toBe(hash(before.weights));
    expect(decodeFrame(weights).tensors.reduce((n, t) => n + t.values.length, 0)).toBe(PARAMETERS_2NN);

    const clients = (await getJson<{ items: ClientView[] }>(`${coordinator.url}/api/v1/clients`)).items;
    expect(clients.map((c) => c.id).sort()).toEqual(before.clients.items.map((c) => c.id).sort());
    expect(clients.every((c) => c.contributions === 2)).toBe(true);
  });

  it('has agents reconnect to the restarted coordinator under their stable ids', async () => {
    const ids = await eventually(async () => {
      const clients = await getJson<{ items: ClientView[]; online: number }>(`${coordinator.url}/api/v1/clients`);
      return clients.online === AGENTS ? clients.items.map((c) => c.id) : undefined;
    }, 'agents to reconnect');
    expect(ids).toHaveLength(AGENTS);
  });

  it('serves health and Prometheus metrics', async () => {
    const health = await getJson<{ status: string }>(`${coordinator.url}/healthz`);
    expect(health.status).toBe('ok');
    const metrics = await fetch(`${coordinator.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^shoal_clients_connected 3$/m);
    expect(metrics).toContain('# TYPE shoal_rounds_total counter');
  });
});
