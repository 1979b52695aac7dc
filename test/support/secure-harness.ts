/**
 * A coordinator in process (port 0, real SQLite, an admin token for every REST call) with a SecureFleet of six SDK
 * clients, and what secure-aggregation tests observe of it: each round's sum and included clients, each masked input
 * as the coordinator held it, and when rounds finish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { decodeFrame } from '@shoal/codec';
import type { JobView, NamedTensor } from '@shoal/protocol';
import { eventually, postJson, request } from './rest.js';
import { SecureFleet } from './secure-fleet.js';
import { ROUND_DEADLINE_MS } from './patience.js';

export const N = 6;
/** Examples per client: FedAvg weights differ, the cap W is 120. */
export const SIZES = [40, 60, 80, 100, 120, 60];
const ADMIN = 'secure-aggregation-admin-token';
export const auth = { authorization: `Bearer ${ADMIN}` };

/** Starts the coordinator and the fleet before the calling file's tests and stops them after. */
export function useSecureHarness() {
  let started: { coordinator: Coordinator; url: string; fleet: SecureFleet; dir: string } | undefined;
  const sums = new Map<string, { included: string[]; sum: Uint32Array }>();
  const held = new Map<string, Uint32Array>();
  const finished = new Map<string, { status: string; modelVersion: number | undefined }>();
  const state = () => {
    if (started === undefined) throw new Error('the secure harness has not started');
    return started;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-secagg-'));
    const coordinator = new Coordinator({ port: 0, dataDir: dir, logger: pino({ level: 'silent' }), adminToken: ADMIN });
    coordinator.events.on('secagg:sum', ({ jobId, round, included, sum }) => sums.set(`${jobId}/${round}`, { included, sum }));
    coordinator.events.on('secagg:masked-input', ({ jobId, round, clientId, masked }) => held.set(SecureFleet.key(jobId, round, clientId), masked));
    coordinator.events.on('round:finished', ({ jobId, round, status, modelVersion }) => finished.set(`${jobId}/${round}`, { status, modelVersion }));
    const { url } = await coordinator.start();
    const fleet = new SecureFleet(url, SIZES);
    started = { coordinator, url, fleet, dir };
    await fleet.fill(N);
  });

  afterAll(async () => {
    if (started === undefined) return;
    await started.fleet.stop();
    await started.coordinator.stop();
    rmSync(started.dir, { recursive: true, force: true });
  });

  const harness = {
    sums,
    held,
    get url() {
      return state().url;
    },
    get fleet() {
      return state().fleet;
    },
    async get<T>(path: string): Promise<T> {
      const reply = await request<T>(`${state().url}/api/v1${path}`, { headers: auth });
      expect(reply.status).toBe(200);
      return reply.body;
    },
    async createJob(body: Record<string, unknown>): Promise<JobView> {
      const defaults = { minFitClients: 3, minAvailableClients: N, learningRate: 0.1, batchSize: 20, roundDeadlineMs: ROUND_DEADLINE_MS };
      const reply = await postJson<JobView>(`${state().url}/api/v1/jobs`, { ...defaults, ...body }, auth);
      expect(reply.status).toBe(201);
      return reply.body;
    },
    roundDone: (jobId: string, round: number) => eventually(async () => finished.get(`${jobId}/${round}`), `round ${round} of ${jobId}`),
    weightsOf: (jobId: string, version: number): NamedTensor[] => decodeFrame(state().coordinator.store.getVersionWeights(jobId, version)!).tensors,
    inputsOf: (jobId: string, round: number, ids: readonly string[]) => ids.map((id) => state().fleet.inputs.get(SecureFleet.key(jobId, round, id))!),
    /** Replaces the clients that left; the next round waits for all N (minAvailableClients). */
    async refill(): Promise<void> {
      await state().fleet.fill(N);
    },
  };
  return harness;
}
