/**
 * Streaming aggregation (`npm run bench:aggregate`): 1,000 updates of the CNN's size (1,663,370 parameters) added
 * into FedAvg's running weighted sum as a round does: the coordinator's UpdateIntake validates the frame and decodes it
 * once into reused arrays and measures its norm, then the strategy `add`s it (sum += n·Δ, plus the distance sketch).
 * Reports GB/s of decoded parameters (4 bytes each), the machine's TypedArray copy bandwidth measured in the same run
 * and the ratio of the two, and peak RSS while aggregating 100 and 1,000 updates (it must not grow with the count).
 * Frames come from a pool of 4 pre-encoded updates, as arriving uploads would: one frame and one decoded copy (the
 * intake's reused arrays) in memory at a time.
 *
 *   node --expose-gc --import tsx test/bench/aggregate.bench.ts [--updates 1000] [--runs 3] [--codecs float32,int8,...]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FRAME_LIMITS, SIMD_SUM_KERNELS, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { MNIST_CNN, SAMPLE_CODECS, createRandom, type SampleCodec } from '@shoal/codec/testing';
import { UpdateIntake } from '@shoal/server';
import { FedAvg } from '@shoal/strategy';
import { totalElements } from '@shoal/protocol';
import { copyBandwidthGBs, deltaLike, fixed, median, table } from './bench-support.js';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    codecs: { type: 'string', default: 'float32,int8,float16,qsgd 8-bit block 256,qsgd 4-bit block 256,topk 1% + qsgd 8-bit' },
  },
});
const UPDATES = Number(values.updates);
const RUNS = Number(values.runs);
const POOL = 4;
const PARAMETERS = totalElements(MNIST_CNN);
const chosen = values.codecs.split(',').map((label) => {
  const sample = SAMPLE_CODECS.find((candidate) => candidate.label === label);
  if (sample === undefined) throw new Error(`unknown codec label '${label}'; one of: ${SAMPLE_CODECS.map((s) => s.label).join(', ')}`);
  return sample;
});
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mib = (bytes: number) => bytes / 2 ** 20;

interface Run {
  seconds: number;
  peakRss: number;
}

/** Aggregates `count` updates from the pool through FedAvg; samples RSS every 25 updates. */
function aggregate(frames: readonly Uint8Array[], codec: SampleCodec['selection'], count: number, simd = true): Run {
  const intake = new UpdateIntake({ tensorSpecs: MNIST_CNN, uploadCodec: codec, maxUpdateBytes: 1 << 30, frameLimits: DEFAULT_FRAME_LIMITS, codecs: defaultCodecRegistry() });
  const strategy = new FedAvg({ fractionFit: 1, minFitClients: 1, fractionEvaluate: 0, minEvaluateClients: 0, fit: { localEpochs: 1, batchSize: 10, learningRate: 0.1 } });
  const globalWeights = MNIST_CNN.map((spec) => new Float32Array(spec.shape.reduce((a, b) => a * b, 1)));
  gc();
  let peakRss = process.memoryUsage.rss();
  const started = performance.now();
  const aggregation = strategy.beginAggregation({ round: 1, globalWeights, random: Math.random, ...(simd ? { kernels: SIMD_SUM_KERNELS } : {}) });
  for (let update = 0; update < count; update++) {
    const frame = frames[update % frames.length]!;
    const { values, l2Norm } = intake.decode(frame, Number.POSITIVE_INFINITY);
    aggregation.add({ clientId: `c${update}`, numExamples: 100 + (update % 7), metrics: { loss: 1 }, values, l2Norm });
    if (update % 25 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  const outcome = aggregation.finish([]);
  const seconds = (performance.now() - started) / 1000;
  if (outcome.weights === undefined || !outcome.weights.every((tensor) => tensor.every(Number.isFinite))) throw new Error('aggregation produced no finite model');
  return { seconds, peakRss: Math.max(peakRss, process.memoryUsage.rss()) };
}

/** One row; `simd` false keeps the sum in ordinary Float32Arrays instead of createAccumulators' (for comparison). */
function measure(sample: SampleCodec, copy: number, simd = true): string[] {
  const random = createRandom(5);
  const frames = Array.from({ length: POOL }, (_, seed) => encodeFrame('delta', deltaLike(MNIST_CNN, seed + 10), sample.selection, undefined, random.next));
  aggregate(frames, sample.selection, 20, simd);
  const small = aggregate(frames, sample.selection, Math.max(1, Math.round(UPDATES / 10)), simd);
  const runs = Array.from({ length: RUNS }, () => aggregate(frames, sample.selection, UPDATES, simd));
  const seconds = median(runs.map((run) => run.seconds));
  const gbs = (UPDATES * PARAMETERS * 4) / seconds / 1e9;
  const peak = Math.max(...runs.map((run) => run.peakRss));
  return [
    simd ? sample.label : `${sample.label} (sum in plain arrays)`,
    frames[0]!.length.toLocaleString('en-US'),
    fixed(seconds, 2),
    fixed(gbs, 2),
    fixed(gbs / copy, 2),
    `${fixed(mib(small.peakRss), 0)} / ${fixed(mib(peak), 0)}`,
  ];
}

const copy = copyBandwidthGBs(PARAMETERS);
console.log(`aggregate bench: ${UPDATES.toLocaleString('en-US')} updates of ${PARAMETERS.toLocaleString('en-US')} parameters (the CNN), FedAvg streaming sum, medians of ${RUNS} runs`);
console.log(`baseline, same run: TypedArray copy (Float32Array.set, ${fixed((4 * PARAMETERS) / 1e6, 2)} MB) ${fixed(copy, 2)} GB/s`);
const rows = chosen.map((sample) => measure(sample, copy));
for (const sample of chosen.filter((candidate) => ['float32', 'int8'].includes(candidate.label))) rows.push(measure(sample, copy, false));
console.log(table(['upload codec', 'frame bytes', `seconds for ${UPDATES}`, 'GB/s decoded', 'ratio to copy', `peak RSS MiB, ${Math.round(UPDATES / 10)} / ${UPDATES} updates`], rows));
console.log(`copy bandwidth re-measured after the runs: ${fixed(copyBandwidthGBs(PARAMETERS), 2)} GB/s`);
