/** ServingService with real tfjs models: hot swaps under concurrent predictions, input refusals, micro-batching, downloads, telemetry. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShoalError, type TelemetryReport } from '@shoal/protocol';
import { defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { getWeights, initBackend, modelToTopology, predict } from '@shoal/ml';
import { ServingService, type SinglePrediction } from './serving-service.js';
import { refusalOf } from './testing/refusal.js';
import { exampleValues, smallClassifier } from './testing/small-classifier.js';

const codecs = defaultCodecRegistry();
const noDownloads = { json: () => Promise.reject(new Error('no coordinator in this test')), bytes: () => Promise.reject(new Error('no coordinator in this test')) };
const identity = (version: number) => ({ deploymentId: 'dep-1', jobId: 'job-1', version });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await initBackend({ log: () => undefined });
});

describe('hot swap under concurrent predictions', () => {
  for (const microBatch of [undefined, { maxBatch: 64, maxWaitMs: 3 }]) {
    it(`never fails a call and answers each with a version current during the call (${microBatch === undefined ? 'direct' : 'micro-batched'})`, async () => {
      const inputs = exampleValues(32, 784, 7);
      const versions = [1, 2, 3, 4, 5, 6];
      // What each version answers for each input, computed on copies before the service owns (and disposes) them.
      const expected = new Map(versions.map((version) => {
        const reference = smallClassifier(version);
        const { probabilities } = predict(reference, Float32Array.from(inputs.flatMap((x) => Array.from(x))), inputs.length);
        reference.dispose();
        return [version, probabilities] as const;
      }));
      const models = new Map(versions.map((version) => [version, smallClassifier(version)]));
      const tensorsPerModel = models.get(1)!.weights.length;
      const service = new ServingService(noDownloads, codecs, microBatch === undefined ? {} : { microBatch });
      const tensorsBefore = tf.memory().numTensors;
      const servedFrom = new Map<number, number>();
      const install = (version: number) => {
        servedFrom.set(version, performance.now());
        service.install(models.get(version)!, identity(version));
      };

      install(1);
      let swapping = true;
      const calls: Array<{ started: number; ended: number; input: number; result: SinglePrediction }> = [];
      const failures: unknown[] = [];
      const caller = async (seed: number) => {
        for (let n = 0; swapping; n++) {
          const input = (seed * 7 + n) % inputs.length;
          const started = performance.now();
          // Alternate the input forms: a typed array and a nested 28×28 list.
          const x = n % 2 === 0 ? inputs[input]! : Array.from({ length: 28 }, (_, r) => Array.from(inputs[input]!.subarray(r * 28, r * 28 + 28)));
          await service.predict(x).then((result) => calls.push({ started, ended: performance.now(), input, result }), (error: unknown) => failures.push(error));
          if ((n + seed) % 4 === 3) await sleep(0); // staggered, so some calls are always waiting
        }
      };
      const callers = Array.from({ length: 16 }, (_, i) => caller(i));
      // Swap after every 50 answered calls (progress, not wall time, so a loaded machine changes nothing).
      const answered = async (more: number) => {
        const target = calls.length + more;
        while (calls.length < target && failures.length === 0) await sleep(1);
      };
      for (const version of versions.slice(1)) {
        await answered(50);
        install(version);
      }
      await answered(50);
      swapping = false;
      await Promise.all(callers);

      expect(failures).toEqual([]);
      expect(calls.length).toBeGreaterThanOrEqual(300);
      expect(new Set(calls.map((call) => call.result.version))).toEqual(new Set(versions));
      // Queued calls were in flight across a swap and were answered by the version that took over.
      if (microBatch !== undefined) expect(calls.filter((call) => call.started < servedFrom.get(call.result.version)!).length).toBeGreaterThan(0);
      for (const { started, ended, input, result } of calls) {
        const from = servedFrom.get(result.version)!;
        const until = servedFrom.get(result.version + 1) ?? Number.POSITIVE_INFINITY;
        expect(from <= ended && until >= started, `version ${result.version} was not current during [${started}, ${ended}]`).toBe(true);
        const want = expected.get(result.version)!.subarray(input * 10, input * 10 + 10);
        result.probabilities.forEach((p, c) => expect(Math.abs(p - want[c]!)).toBeLessThan(1e-5));
      }
      // Every replaced version was released once idle: of the six models built, only the last is still allocated.
      expect(tf.memory().numTensors).toBe(tensorsBefore - 5 * tensorsPerModel);
      service.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore - 6 * tensorsPerModel);
    });
  }
});

describe('input refusals', () => {
  it('refuses before any version is served (UNAVAILABLE) and refuses bad input with a code, counting it as an error', async () => {
    const reports: TelemetryReport[] = [];
    const service = new ServingService(noDownloads, codecs, { sendTelemetry: async (report) => void reports.push(report) });
    expect(await refusalOf(() => service.predict(new Float32Array(784)))).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 503 });
    service.install(smallClassifier(1), identity(1));

    expect((await refusalOf(() => service.predict(new Float32Array(100)))).code).toBe('SHAPE_MISMATCH');
    expect((await refusalOf(() => service.predict(new Array(784).fill(Number.NaN)))).code).toBe('VALIDATION_FAILED');
    expect((await refusalOf(() => service.predict('an image' as unknown as number[]))).code).toBe('VALIDATION_FAILED');
    expect((await refusalOf(() => service.predictMany([]))).code).toBe('VALIDATION_FAILED');
    const ok = await service.predict(new Float32Array(784).fill(0.5));
    expect(ok).toMatchObject({ deploymentId: 'dep-1', jobId: 'job-1', version: 1, predictionId: expect.any(String) });
    expect(ok.probabilities).toHaveLength(10);
    expect(ok.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    await service.flushTelemetry();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ version: 1, requests: 5, errors: 4 });
    service.dispose();
  });
});

describe('micro-batching', () => {
  it('groups concurrent predictions into batches of up to maxBatch and flushes a partial batch after maxWaitMs', async () => {
    const model = smallClassifier(3);
    const batchSizes: number[] = [];
    const predictOne = model.predict.bind(model);
    model.predict = (x, config) => {
      batchSizes.push((x as tf.Tensor).shape[0]!);
      return predictOne(x, config);
    };
    const service = new ServingService(noDownloads, codecs, { microBatch: { maxBatch: 4, maxWaitMs: 60 } });
    service.install(model, identity(1));
    batchSizes.length = 0; // the warm-up prediction

    const inputs = exampleValues(6, 784, 1);
    const started = performance.now();
    const finished = new Array<number>(inputs.length);
    const results = await Promise.all(inputs.map((x, i) => service.predict(x).then((result) => ((finished[i] = performance.now() - started), result))));

    expect(batchSizes).toEqual([4, 2]);
    // The full batch went at once; the last two waited for maxWaitMs.
    expect(Math.max(...finished.slice(0, 4))).toBeLessThan(Math.min(...finished.slice(4)));
    expect(Math.min(...finished.slice(4))).toBeGreaterThanOrEqual(59);
    // Batched answers are the model's own answers for each example.
    const direct = predict(model, Float32Array.from(inputs.flatMap((x) => Array.from(x))), inputs.length);
    results.forEach((result, i) => expect(result.classId).toBe(direct.classes[i]));
    service.dispose();
  });
});

describe('assignments from the coordinator', () => {
  it('downloads the topology and a weights frame in any registered codec, then serves it', async () => {
    const source = smallClassifier(9);
    const topology = { format: 'layers-model', modelTopology: modelToTopology(source) };
    const frames: Record<string, Uint8Array> = {
      '/w/float32': encodeFrame('weights', getWeights(source), { id: 'float32' }, codecs),
      '/w/int8-channel': encodeFrame('weights', getWeights(source), { id: 'int8-channel' }, codecs),
    };
    const http = {
      json: async () => topology,
      bytes: async (path: string) => frames[path] ?? Promise.reject(new ShoalError('NOT_FOUND', `GET ${path} answered 404`)),
    };
    const service = new ServingService(http, codecs);
    const x = exampleValues(1, 784, 3)[0]!;
    const truth = predict(source, x, 1).probabilities;

    await service.assign({ deploymentId: 'dep-2', jobId: 'job-9', version: 4, modelUrl: '/m', weightsUrl: '/w/float32', telemetryIntervalMs: 60_000 });
    const exact = await service.predict(x);
    expect(exact).toMatchObject({ deploymentId: 'dep-2', jobId: 'job-9', version: 4 });
    exact.probabilities.forEach((p, c) => expect(p).toBeCloseTo(truth[c]!, 6));

    await service.assign({ deploymentId: 'dep-2', jobId: 'job-9', version: 4, artifactId: 'art-1', modelUrl: '/m', weightsUrl: '/w/int8-channel', telemetryIntervalMs: 60_000 });
    const quantized = await service.predict(x);
    expect(service.status()).toMatchObject({ serving: true, artifactId: 'art-1', inputShape: [28, 28, 1], numClasses: 10 });
    quantized.probabilities.forEach((p, c) => expect(Math.abs(p - truth[c]!)).toBeLessThan(0.02));

    // A failed download leaves the served version in place.
    const refused = await refusalOf(() => service.assign({ deploymentId: 'dep-3', jobId: 'job-9', version: 5, modelUrl: '/m', weightsUrl: '/missing', telemetryIntervalMs: 60_000 }));
    expect(refused.code).toBe('NOT_FOUND');
    expect(service.status()).toMatchObject({ deploymentId: 'dep-2', version: 4 });
    source.dispose();
    service.dispose();
  });
});

describe('telemetry windows per version', () => {
  it('cuts the window at a swap, reports each version separately and counts labelled predictions', async () => {
    const reports: TelemetryReport[] = [];
    const service = new ServingService(noDownloads, codecs, { sendTelemetry: async (report) => void reports.push(report) });
    const inputs = exampleValues(5, 784, 2);
    service.install(smallClassifier(1), identity(1));
    const first = await Promise.all(inputs.slice(0, 3).map((x) => service.predict(x)));
    expect(service.recordLabel(first[0]!.predictionId, first[0]!.classId)).toBe(true);
    expect(service.recordLabel(first[0]!.predictionId, first[0]!.classId)).toBe(false); // counted once
    service.install(smallClassifier(2), identity(2));
    await sleep(0);
    expect(reports.map((r) => [r.version, r.requests])).toEqual([[1, 3]]);
    expect(reports[0]!.labelled).toEqual({ count: 1, correct: 1 });

    const second = await Promise.all(inputs.slice(3).map((x) => service.predict(x)));
    service.recordLabel(second[0]!.predictionId, (second[0]!.classId + 1) % 10);
    // A label for an example the old version predicted still counts for the old version.
    service.recordLabel(first[1]!.predictionId, first[1]!.classId);
    await service.flushTelemetry();

    const byVersion = new Map(reports.slice(1).map((r) => [r.version, r]));
    expect(byVersion.get(2)).toMatchObject({ requests: 2, errors: 0, labelled: { count: 1, correct: 0 } });
    expect(byVersion.get(1)).toMatchObject({ requests: 0, labelled: { count: 1, correct: 1 } });
    expect(byVersion.get(2)!.windowStartMs).toBe(reports[0]!.windowEndMs);
    expect(byVersion.get(2)!.classCounts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(byVersion.get(2)!.inputHistogram.reduce((a, b) => a + b, 0)).toBe(2 * 784);
    service.dispose();
  });
});
