/**
 * Server optimiser state (FedAdam's and FedYogi's moments) is stored with every model version: a coordinator
 * restarted between rounds continues the same trajectory, to 1e-6, as one that ran without a break. Two raw protocol
 * clients answer each round with a delta fixed by the model version they trained from, so both runs see the same
 * inputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import { adamStep, yogiStep } from '@shoal/strategy';
import { PROTOCOL_VERSION, type FitTask, type NamedTensor } from '@shoal/protocol';
import { call, connectRaw, helloRaw, type RawSocket } from '../support/raw-client.js';
import { eventually } from '../support/rest.js';
import { maxAbsDifference, meta, tensors } from '../support/raw-fleet.js';
import { TINY_TOPOLOGY } from '../support/secure-fleet.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

/** Depends only on the version trained from and the client: the same in both runs. */
const clientDelta = (version: number, client: number) => (i: number) => Math.sin(i * 0.37 + version * 1.3 + client) * 0.01 * (client + 1);

const root = mkdtempSync(join(tmpdir(), 'shoal-restart-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const EXAMPLES = [100, 300];

/** A coordinator on `dir` with two raw clients that answer tasks trained from versions below `answerBelow` with a delta of that version. */
async function startFleet(dir: string, ids: (string | undefined)[] = [], answerBelow = Number.POSITIVE_INFINITY) {
  const coordinator = new Coordinator({ port: 0, dataDir: dir, logger: pino({ level: 'silent' }), centralEvaluation: false });
  const { url } = await coordinator.start();
  const sockets: RawSocket[] = [];
  for (let c = 0; c < 2; c++) {
    const socket = await connectRaw(url, ids[c] === undefined ? undefined : { protocolVersion: PROTOCOL_VERSION, clientId: ids[c] });
    // Listening before hello: a resumed job sends the task as soon as the client registers.
    socket.on('fit:task', (task: FitTask) => {
      if (task.modelVersion >= answerBelow) return;
      const specs = coordinator.store.getJob(task.jobId)!.tensorSpecs;
      const delta = tensors(specs, clientDelta(task.modelVersion, c));
      // An upload still in flight when the fleet stops mid-round goes unanswered; that is the point of stopping.
      void call(socket, 'fit:result', meta(task, EXAMPLES[c]!), encodeFrame('delta', delta, { id: 'float32' })).catch(() => undefined);
    });
    ids[c] = await helloRaw(socket, `raw-${c}`, EXAMPLES[c]);
    sockets.push(socket);
  }
  return {
    coordinator,
    ids,
    async stop() {
      for (const socket of sockets) socket.disconnect();
      await coordinator.stop();
    },
  };
}

const versionReached = (coordinator: Coordinator, jobId: string, version: number) =>
  eventually(async () => ((coordinator.store.getJob(jobId)?.latestVersion ?? 0) >= version ? true : undefined), `job ${jobId} to reach version ${version}`);
const weights = (coordinator: Coordinator, jobId: string, version: number): NamedTensor[] => decodeFrame(coordinator.store.getVersionWeights(jobId, version)!).tensors;

describe.each(['fedadam', 'fedyogi'] as const)('%s state across a restart', (name) => {
  const body = { name, model: { topology: TINY_TOPOLOGY }, seed: 5, rounds: 4, minFitClients: 2, roundDeadlineMs: ROUND_DEADLINE_MS, uploadCodec: { id: 'float32' }, strategy: { name, serverLearningRate: 0.05 } };

  it('gives the same weights after the restart as an uninterrupted run, to 1e-6', async () => {
    const straight = await startFleet(join(root, `${name}-straight`));
    const reference = await straight.coordinator.jobs.create(body);
    await versionReached(straight.coordinator, reference.id, 3);
    const expected = [1, 2, 3].map((version) => weights(straight.coordinator, reference.id, version));
    await straight.stop();

    const dir = join(root, `${name}-restarted`);
    const first = await startFleet(dir, [], 1); // round 2 (from version 1) stays open until the restart fails it
    const job = await first.coordinator.jobs.create(body);
    await versionReached(first.coordinator, job.id, 1);
    await eventually(async () => (first.coordinator.store.getRound(job.id, 2)?.status === 'running' ? true : undefined), 'round 2 to start');
    await first.stop();

    const second = await startFleet(dir, first.ids);
    await versionReached(second.coordinator, job.id, 3);
    expect(second.coordinator.store.getRound(job.id, 2)!.status).toBe('failed');
    expect(maxAbsDifference(weights(second.coordinator, job.id, 1), expected[0]!)).toBe(0);
    for (const version of [2, 3]) expect(maxAbsDifference(weights(second.coordinator, job.id, version), expected[version - 1]!)).toBeLessThan(1e-6);
    // From fresh moments the same round would have given another version 2: the stored state is what made them equal.
    const v1 = expected[0]!;
    const mean = tensors(v1, (i, t) => (EXAMPLES[0]! * clientDelta(1, 0)(i) + EXAMPLES[1]! * clientDelta(1, 1)(i)) / (EXAMPLES[0]! + EXAMPLES[1]!) + 0 * t);
    const step = name === 'fedadam' ? adamStep : yogiStep;
    const fresh = step(v1.map((t) => t.values), mean.map((t) => t.values), undefined, { learningRate: 0.05, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
    expect(maxAbsDifference(fresh.weights.map((values, t) => ({ ...v1[t]!, values })), expected[1]!)).toBeGreaterThan(1e-3);
    await second.stop();
  });
});
