/**
 * Edge artifacts on real MNIST: the 2NN and the CNN, trained centrally for a short while, then the float model against
 * the pruned + int8 artifact the builder picks (minimum accuracy: 1 point below the float model) and against a
 * distilled student in int8 — batch-1 latency p50/p99, batch-64 throughput, frame size (and gzipped), test accuracy.
 * Run: npm run bench:edge [-- --quick]
 */
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import { loadMnist, type LabeledExamples } from '@shoal/data';
import { buildEdgeArtifact, distill, measureBatch1Latency, softTargets, type EdgeArtifact } from '@shoal/edge';
import { buildPresetModel, evaluateModel, getWeights, initBackend, modelFromTopology, modelToTopology, predict, setWeights, trainLocal, type PresetName } from '@shoal/ml';
import type { NamedTensor } from '@shoal/protocol';
import { fixed, median, table } from './bench-support.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;
const TRAINING: Record<PresetName, { examples: number; epochs: number; learningRate: number }> = {
  'mnist-2nn': { examples: quick ? 10_000 : 60_000, epochs: quick ? 1 : 3, learningRate: 0.1 },
  'mnist-cnn': { examples: quick ? 2_000 : 15_000, epochs: 1, learningRate: 0.05 },
};
const TRANSFER = quick ? 2_000 : 10_000;

interface Contender {
  label: string;
  model: tf.LayersModel;
  frame: Uint8Array;
  accuracy: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

/** A small MLP student for the 2NN; the 2NN itself is the CNN's student. */
function studentFor(preset: PresetName): tf.LayersModel {
  if (preset === 'mnist-cnn') return buildPresetModel('mnist-2nn', { seed: 7 });
  return tf.sequential({
    name: 'mlp-64',
    layers: [tf.layers.dense({ name: 'student1', inputShape: [784], units: 64, activation: 'relu' }), tf.layers.dense({ name: 'student-out', units: 10, activation: 'softmax' })],
  });
}

async function contender(label: string, topology: Record<string, unknown>, frame: Uint8Array, test: LabeledExamples): Promise<Contender> {
  const model = await modelFromTopology(topology);
  setWeights(model, decodeFrame(frame, { expectedKind: 'weights' }).tensors);
  const { accuracy } = await evaluateModel(model, test, { batchSize: 500 });
  return { label, model, frame, accuracy };
}

/** Examples per second at batch 64, the models in turns; median of RUNS runs of `batches` batches each. */
function throughput(models: readonly tf.LayersModel[], test: LabeledExamples, batches: number): number[] {
  const perExample = test.features.length / test.count;
  const rates: number[][] = models.map(() => []);
  for (let run = -1; run < RUNS; run++) {
    models.forEach((model, index) => {
      const started = performance.now();
      for (let batch = 0; batch < batches; batch++) {
        const first = (batch * 64) % (test.count - 64);
        predict(model, test.features.subarray(first * perExample, (first + 64) * perExample), 64);
      }
      if (run >= 0) rates[index]!.push((64 * batches) / ((performance.now() - started) / 1000));
    });
  }
  return rates.map(median);
}

async function benchModel(preset: PresetName, train: LabeledExamples, test: LabeledExamples): Promise<{ rows: string[][]; artifact: EdgeArtifact }> {
  let started = performance.now();
  const teacher = buildPresetModel(preset, { seed: 1 });
  const { examples, epochs, learningRate } = TRAINING[preset];
  await trainLocal(teacher, train, { epochs, batchSize: 32, learningRate, seed: 1, maxExamples: examples });
  const topology = modelToTopology(teacher) as Record<string, unknown>;
  const weights: NamedTensor[] = getWeights(teacher);
  const float = await contender('float32', topology, encodeFrame('weights', weights, { id: 'float32' }), test);
  log(`${preset}: trained on ${examples} × ${epochs} in ${seconds(started)}, test accuracy ${(100 * float.accuracy).toFixed(2)} %`);

  started = performance.now();
  const transfer = loadMnist('train', { limit: TRANSFER });
  const artifact = await buildEdgeArtifact(
    { topology, weights, heldOut: test, transferData: transfer },
    { minAccuracy: float.accuracy - 0.01, sparsity: 0.5, structuredFractions: [0.25, 0.5], fineTuneEpochs: 1, latencySamples: quick ? 50 : 300, log: (line) => log(`  ${line}`) },
  );
  log(`${preset}: artifact ${artifact.name} built in ${seconds(started)}`);
  const pruned = await contender(`pruned + int8 (${artifact.name})`, artifact.topology, artifact.weights, test);

  started = performance.now();
  const student = studentFor(preset);
  await distill(student, transfer, softTargets(teacher, transfer, 2), { epochs: quick ? 1 : 5 });
  const studentFrame = encodeFrame('weights', getWeights(student), { id: 'int8-channel' });
  const distilled = await contender(`distilled student + int8 (${student.name})`, modelToTopology(student) as Record<string, unknown>, studentFrame, test);
  log(`${preset}: student ${student.name} distilled in ${seconds(started)}, accuracy ${(100 * distilled.accuracy).toFixed(2)} %`);
  teacher.dispose();
  student.dispose();

  const contenders = [float, pruned, distilled];
  const models = contenders.map((entry) => entry.model);
  const timed = 256;
  const latencyRuns = Array.from({ length: RUNS }, () => measureBatch1Latency(models, test.features.subarray(0, timed * 784), timed, { samples: quick ? 100 : 500 }));
  const rates = throughput(models, test, preset === 'mnist-cnn' ? 10 : 100);
  const gzip = contenders.map((entry) => gzipSync(entry.frame).length);
  const rows = contenders.map((entry, index) => {
    const p50 = median(latencyRuns.map((run) => run[index]!.p50Ms));
    const p99 = median(latencyRuns.map((run) => run[index]!.p99Ms));
    const floatP50 = median(latencyRuns.map((run) => run[0]!.p50Ms));
    return [
      preset, entry.label, fixed(p50, 3), fixed(p99, 3), `${fixed(floatP50 / p50, 2)}×`, fixed(rates[index]!, 0), `${fixed(rates[index]! / rates[0]!, 2)}×`,
      entry.frame.length.toLocaleString('en-US'), gzip[index]!.toLocaleString('en-US'), fixed(contenders[0]!.frame.length / entry.frame.length, 2) + '×',
      fixed(contenders[0]!.frame.length / gzip[index]!, 2) + '×', `${fixed(100 * entry.accuracy, 2)} %`, `${entry.accuracy >= float.accuracy ? '+' : ''}${fixed(100 * (entry.accuracy - float.accuracy), 2)}`,
    ];
  });
  models.forEach((model) => model.dispose());
  return { rows, artifact };
}

const benchStarted = performance.now();
const loadBefore = loadavg()[0]!;
const backend = await initBackend({ log: () => undefined });
const train = loadMnist('train');
const test = loadMnist('test');
const results = [];
for (const preset of ['mnist-2nn', 'mnist-cnn'] as const) results.push({ preset, ...(await benchModel(preset, train, test)) });

console.log(`\nShoal edge artifacts: MNIST (10,000 test images), backend ${backend.name} (${backend.detail.split(',')[0]}), node ${process.version}, ${cpus().length} cores`);
console.log(`latency and throughput: medians of ${RUNS} run(s), models timed in turns; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after\n`);
console.log(table(
  ['model', 'variant', 'batch-1 p50 ms', 'batch-1 p99 ms', 'p50 speedup', 'batch-64 examples/s', 'throughput ratio', 'frame bytes', 'gzip bytes', 'size ratio', 'gzip ratio', 'test accuracy', 'Δ points'],
  results.flatMap((result) => result.rows),
));
for (const { preset, artifact } of results) {
  console.log(`\n${preset}: builder candidates, chosen ${artifact.name} (held out 10,000; minimum ${(100 * artifact.minAccuracy).toFixed(2)} %; base ${(100 * artifact.base.accuracy).toFixed(2)} %, p50 ${fixed(artifact.base.latencyP50Ms, 3)} ms):`);
  console.log(table(
    ['candidate', 'accuracy', 'p50 ms', 'p99 ms', 'frame bytes', 'gzip bytes', 'parameters', 'sparsity'],
    artifact.candidates.map((c) => [c.name, `${fixed(100 * c.accuracy, 2)} %`, fixed(c.latencyP50Ms, 3), fixed(c.latencyP99Ms, 3), c.sizeBytes.toLocaleString('en-US'), c.gzipBytes.toLocaleString('en-US'), c.parameterCount.toLocaleString('en-US'), fixed(c.sparsity, 2)]),
  ));
}
console.log(`\ntotal ${seconds(benchStarted)}`);
