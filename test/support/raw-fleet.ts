/** A coordinator in process (port 0, real SQLite, no central evaluation) with two raw protocol clients, for tests that drive rounds by hand. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { pino } from 'pino';
import { Coordinator, type JobRecord } from '@shoal/server';
import { decodeFrame, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { createRandom } from '@shoal/codec/testing';
import type { FitTask, NamedTensor, TensorSpec } from '@shoal/protocol';
import { call, connectRaw, helloRaw, nextTask, type RawSocket } from './raw-client.js';
import { eventually, useBearerToken } from './rest.js';
import { ROUND_DEADLINE_MS } from './patience.js';

/** Examples each raw client reports, so FedAvg weights their updates 1 : 3. */
export const EXAMPLES = [100, 300];
const codecs = defaultCodecRegistry();

export function tensors(specs: readonly TensorSpec[], fill: (i: number, t: number) => number): NamedTensor[] {
  return specs.map((spec, t) => ({ ...spec, values: Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i, t)) }));
}

export const meta = (task: FitTask, numExamples: number) => ({
  taskId: task.taskId, jobId: task.jobId, round: task.round, modelVersion: task.modelVersion, numExamples, durationMs: 1, metrics: { loss: 1 },
});

export function maxAbsDifference(a: readonly NamedTensor[], b: readonly NamedTensor[]): number {
  let max = 0;
  a.forEach((tensor, t) => tensor.values.forEach((value, i) => (max = Math.max(max, Math.abs(value - b[t]!.values[i]!)))));
  return max;
}

/** The raw fleet's coordinator admin token; REST helpers send it by default once the fleet started. */
export const RAW_FLEET_ADMIN_TOKEN = 'raw-fleet-admin-token';

export class RawFleet {
  private constructor(
    readonly coordinator: Coordinator,
    readonly url: string,
    readonly raw: RawSocket[],
    readonly dataDir: string,
  ) {}

  static async start(): Promise<RawFleet> {
    const dataDir = mkdtempSync(join(tmpdir(), 'shoal-raw-fleet-'));
    const coordinator = new Coordinator({ port: 0, dataDir: join(dataDir, 'coordinator'), logger: pino({ level: 'silent' }), centralEvaluation: false, maxUpdateAttempts: 10, adminToken: RAW_FLEET_ADMIN_TOKEN });
    useBearerToken(RAW_FLEET_ADMIN_TOKEN);
    const { url } = await coordinator.start();
    const raw = [await connectRaw(url), await connectRaw(url)];
    for (const [c, socket] of raw.entries()) await helloRaw(socket, `raw-${c}`, EXAMPLES[c]);
    return new RawFleet(coordinator, url, raw, dataDir);
  }

  async stop(): Promise<void> {
    for (const socket of this.raw) socket.disconnect();
    await this.coordinator.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  roundFinished(jobId: string, round: number): Promise<void> {
    const { events } = this.coordinator;
    return new Promise((resolve) => {
      const listener = (event: { jobId: string; round: number }) => {
        if (event.jobId !== jobId || event.round !== round) return;
        events.off('round:finished', listener);
        resolve();
      };
      events.on('round:finished', listener);
    });
  }

  /** Runs a job whose rounds the raw clients answer with `update(round, client)` in the job's upload codec. */
  async train(body: Record<string, unknown> & { rounds: number }, update: (round: number, client: number) => (i: number, t: number) => number): Promise<JobRecord> {
    const { coordinator, raw } = this;
    let tasks = Promise.all(raw.map(nextTask));
    const job = await coordinator.jobs.create({ model: { preset: 'mnist-2nn' }, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS, ...body });
    for (let round = 1; round <= body.rounds; round++) {
      const received = await tasks;
      tasks = Promise.all(raw.map(nextTask));
      const finished = this.roundFinished(job.id, round);
      for (const [c, task] of received.entries()) {
        const frame = encodeFrame('delta', tensors(job.tensorSpecs, update(round, c)), job.config.uploadCodec, codecs, createRandom(round * 10 + c).next);
        expect((await call(raw[c]!, 'fit:result', meta(task, EXAMPLES[c]!), frame)).ok).toBe(true);
      }
      await finished;
    }
    return eventually(async () => (coordinator.store.getJob(job.id)!.status === 'completed' ? coordinator.store.getJob(job.id)! : undefined), 'the job to complete');
  }

  storedWeights(job: JobRecord, version: number): NamedTensor[] {
    return decodeFrame(this.coordinator.store.getVersionWeights(job.id, version)!).tensors;
  }
}

/** Starts a RawFleet before the calling test file's tests and stops it after them; returns its accessor. */
export function useRawFleet(): () => RawFleet {
  let fleet: RawFleet | undefined;
  beforeAll(async () => {
    fleet = await RawFleet.start();
  });
  afterAll(async () => {
    await fleet?.stop();
  });
  return () => {
    if (fleet === undefined) throw new Error('the raw fleet has not started');
    return fleet;
  };
}
