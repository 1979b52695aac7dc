/**
 * Sparse and quantised uploads against a real coordinator (in process, port 0, real SQLite): bad top-k+qsgd
 * updates are refused with codes and leave no trace, good ones stream into exactly their weighted mean; real SDK
 * clients train with compression both ways and keep an error-feedback residual on the device.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientStateStore, RESIDUAL_FILE, ShoalClient } from '@shoal/client';
import { parseResidualFile } from '@shoal/client/testing';
import { decodeFrame, defaultCodecRegistry, encodeFrame, readFrameHeader } from '@shoal/codec';
import { createRandom } from '@shoal/codec/testing';
import { loadMnistShard, selectExamples } from '@shoal/data';
import { call, nextTask } from '../support/raw-client.js';
import { maxAbsDifference, meta, tensors, useRawFleet } from '../support/raw-fleet.js';
import { eventually } from '../support/rest.js';
import { ROUND_DEADLINE_MS } from '../support/patience.js';

const codecs = defaultCodecRegistry();
const fleet = useRawFleet();

describe('sparse, quantised uploads', () => {
  it('refuses bad top-k+qsgd updates with codes, then streams the good ones into exactly their weighted mean', async () => {
    const codec = { id: 'topk+qsgd', params: { fraction: 0.01, bits: 8, blockSize: 256 } };
    const tasks = Promise.all(fleet().raw.map(nextTask));
    const job = await fleet().coordinator.jobs.create({ name: 'sparse', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 2, uploadCodec: codec, roundDeadlineMs: ROUND_DEADLINE_MS });
    const [taskA, taskB] = await tasks;
    // Entries 5 and 9 of every tensor are the largest, so fc2/bias (200 elements, k = 2) keeps exactly those.
    const fill = (scale: number) => (i: number) => (i === 5 || i === 9 ? scale : scale * 0.001 * ((i % 7) - 3));
    const good = (scale: number, seed: number) => encodeFrame('delta', tensors(job.tensorSpecs, fill(scale)), codec, codecs, createRandom(seed).next);
    const frameA = good(0.5, 1);
    const frameB = good(-0.25, 2);
    const header = readFrameHeader(frameA);
    const fc2Bias = header.payloadOffset + header.tensors.slice(0, 3).reduce((sum, tensor) => sum + tensor.byteLength, 0);
    const edit = (at: number, bytes: number[]) => {
      const copy = frameA.slice();
      copy.set(bytes, at);
      return copy;
    };
    const cases: Array<[string, Uint8Array, string]> = [
      ['index out of range (output/bias has 10 entries)', edit(frameA.length - 6, [10]), 'FRAME_MALFORMED'],
      ['repeated index (gap 0)', edit(fc2Bias + 5, [0]), 'FRAME_MALFORMED'],
      ['NaN scale of the kept values', edit(frameA.length - 5, [0x00, 0x00, 0xc0, 0x7f]), 'NON_FINITE_VALUES'],
      ['truncated', frameA.subarray(0, frameA.length - 1), 'FRAME_MALFORMED'],
      ['another fraction than the job’s', encodeFrame('delta', tensors(job.tensorSpecs, fill(1)), { ...codec, params: { ...codec.params, fraction: 0.02 } }), 'VALIDATION_FAILED'],
      ['another bit width than the job’s', encodeFrame('delta', tensors(job.tensorSpecs, fill(1)), { ...codec, params: { ...codec.params, bits: 4 } }), 'VALIDATION_FAILED'],
    ];

    const refusals = [];
    for (const [what, frame] of cases) refusals.push(`${what}: ${(await call(fleet().raw[0]!, 'fit:result', meta(taskA!, 100), frame)).error?.code}`);
    const finished = fleet().roundFinished(job.id, 1);
    expect((await call(fleet().raw[0]!, 'fit:result', meta(taskA!, 100), frameA)).ok).toBe(true);
    expect((await call(fleet().raw[1]!, 'fit:result', meta(taskB!, 300), frameB)).ok).toBe(true);
    await finished;

    expect(taskA!.errorFeedback).toBe(true);
    expect(refusals).toEqual(cases.map(([what, , code]) => `${what}: ${code}`));
    const base = fleet().storedWeights(job, 0);
    const [dA, dB] = [decodeFrame(frameA).tensors, decodeFrame(frameB).tensors];
    const expected = base.map((tensor, t) => ({ ...tensor, values: tensor.values.map((w, i) => w + (100 * dA[t]!.values[i]! + 300 * dB[t]!.values[i]!) / 400) }));
    expect(maxAbsDifference(fleet().storedWeights(job, 1), expected)).toBeLessThan(1e-6);
    const round = fleet().coordinator.store.getRound(job.id, 1)!;
    expect(round.metrics.compressionRatio!).toBeGreaterThan(100);
    expect(round.metrics.clientBytes!.map((entry) => entry.bytesUp).reduce((a, b) => a + b)).toBe(round.metrics.bytesUp);
  });
});

describe('SDK clients with compression both ways', () => {
  it('train with top-k + 8-bit uploads, error feedback and 8-bit delta downloads, keeping the residual on the device', async () => {
    for (const socket of fleet().raw) socket.disconnect();
    const clients = [0, 1].map((i) => {
      const train = selectExamples(loadMnistShard({ partition: 'iid', shard: { index: i, count: 2 } }), Array.from({ length: 300 }, (_, k) => k));
      return new ShoalClient({ coordinatorUrl: fleet().url, name: `sdk-${i}`, train, stateDir: join(fleet().dataDir, `agent-${i}`), seed: 1 });
    });
    const refusals: string[] = [];
    for (const client of clients) client.on('refused', (r) => refusals.push(`${r.event} ${r.code} ${r.message}`));
    const registered = clients.map((client) => new Promise((resolve) => client.once('registered', resolve)));
    await Promise.all(clients.map((client) => client.start()));
    await Promise.all(registered);
    try {
      const job = await fleet().coordinator.jobs.create({
        name: 'sdk-compressed', model: { preset: 'mnist-2nn' }, rounds: 3, minFitClients: 2, batchSize: 20, learningRate: 0.1, roundDeadlineMs: ROUND_DEADLINE_MS,
        uploadCodec: { id: 'topk+qsgd', params: { fraction: 0.01, bits: 8, blockSize: 256 } },
        downloadCodec: { id: 'qsgd', params: { bits: 8, blockSize: 256 } },
      });
      await eventually(async () => (fleet().coordinator.store.getJob(job.id)!.status === 'running' ? undefined : true), 'the job to finish');

      expect(refusals).toEqual([]);
      expect(job.config.errorFeedback).toBe(true);
      const rounds = fleet().coordinator.store.listRounds(job.id);
      expect(rounds.map((round) => [round.status, round.metrics.deltaDownloads])).toEqual([['completed', 0], ['completed', 2], ['completed', 2]]);
      for (const round of rounds) {
        expect(round.metrics.compressionRatio!).toBeGreaterThan(100);
        // 1 byte per parameter plus a float32 scale per 256: about 3.94 times smaller than float32.
        expect(round.metrics.downloadCompressionRatio!).toBeGreaterThan(3.8);
        expect(round.metrics.clientBytes!.map((entry) => entry.clientId).sort()).toEqual(clients.map((client) => client.clientId).sort());
      }
      for (const i of [0, 1]) {
        const store = new ClientStateStore(join(fleet().dataDir, `agent-${i}`));
        expect(statSync(store.pathOf(RESIDUAL_FILE)).mode & 0o777).toBe(0o600);
        const model = job.tensorSpecs.map((spec) => ({ ...spec, values: new Float32Array(spec.shape.reduce((a, b) => a * b, 1)) }));
        const residual = parseResidualFile(store.readFile(RESIDUAL_FILE)!, job.id, model, codecs)!;
        // Top-k sent 1% of each tensor; the rest of the update waits in the residual (weights of always-blank pixels never move).
        const nonzero = residual.reduce((count, tensor) => count + tensor.values.filter((value) => value !== 0).length, 0);
        expect(nonzero).toBeGreaterThan(0.5 * 199_210);
      }
    } finally {
      await Promise.all(clients.map((client) => client.stop()));
    }
  });
});
