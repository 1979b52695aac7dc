import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '@shoal/codec';
import { loadMnist, type LabeledExamples } from '@shoal/data';
import { evaluateModel, getWeights, initBackend, modelFromTopology, modelToTopology, setWeights, trainLocal } from '@shoal/ml';
import type { NamedTensor } from '@shoal/protocol';
import { buildEdgeArtifact, type ArtifactBuildInput } from './artifact-builder.js';

const mlp = (name: string, hidden: number[]): tf.Sequential =>
  tf.sequential({
    name,
    layers: [
      ...hidden.map((units, i) => tf.layers.dense({ name: `${name}${i}`, units, activation: 'relu', ...(i === 0 ? { inputShape: [784] } : {}) })),
      tf.layers.dense({ name: `${name}-out`, units: 10, activation: 'softmax' }),
    ],
  });

let input: ArtifactBuildInput;
let studentTopology: Record<string, unknown>;

beforeAll(async () => {
  await initBackend({ log: () => undefined });
  const teacher = mlp('teacher', [48, 32]);
  await trainLocal(teacher, loadMnist('train', { limit: 3000 }), { epochs: 3, batchSize: 32, learningRate: 0.1, seed: 1 });
  const heldOut: LabeledExamples = loadMnist('test', { limit: 500 });
  input = { topology: modelToTopology(teacher) as Record<string, unknown>, weights: getWeights(teacher), heldOut, transferData: loadMnist('train', { limit: 1000 }) };
  teacher.dispose();
  const student = mlp('student', [16]);
  studentTopology = modelToTopology(student) as Record<string, unknown>;
  student.dispose();
});

async function accuracyOf(topology: Record<string, unknown>, tensors: NamedTensor[]): Promise<number> {
  const model = await modelFromTopology(topology);
  setWeights(model, tensors);
  const { accuracy } = await evaluateModel(model, input.heldOut);
  model.dispose();
  return accuracy;
}

describe('buildEdgeArtifact', () => {
  it('keeps the fastest candidate at or above the minimum accuracy, as an int8-channel frame that reproduces its figures', async () => {
    const artifact = await buildEdgeArtifact(input, {
      minAccuracy: 0.5, sparsity: 0.5, structuredFractions: [0.5], fineTuneEpochs: 1, latencySamples: 30,
      distill: { student: studentTopology, epochs: 2 },
    });

    expect(artifact.candidates.map((candidate) => candidate.name)).toEqual([
      'int8-channel', 'sparse-50%+int8-channel', 'units-50%-tuned+int8-channel', 'units-50%-tuned+sparse-50%+int8-channel', 'student+int8-channel', 'student+sparse-50%+int8-channel',
    ]);
    const eligible = artifact.candidates.filter((candidate) => candidate.accuracy >= 0.5);
    expect(artifact.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(artifact.latencyP50Ms).toBeLessThanOrEqual(Math.min(...eligible.map((candidate) => candidate.latencyP50Ms)) * 1.05);
    const { header, tensors } = decodeFrame(artifact.weights, { expected: artifact.tensorSpecs, expectedKind: 'weights' });
    expect(header.codec).toEqual({ id: 'int8-channel', params: {} });
    expect(artifact.sizeBytes).toBe(artifact.weights.length);
    expect(await accuracyOf(artifact.topology, tensors)).toBe(artifact.accuracy);
    // The shrunk candidates really are smaller; the sparse ones are half zeros and compress better.
    const byName = new Map(artifact.candidates.map((candidate) => [candidate.name, candidate]));
    expect(byName.get('units-50%-tuned+int8-channel')!.parameterCount).toBeLessThan(artifact.base.parameterCount * 0.6);
    expect(byName.get('sparse-50%+int8-channel')!.sparsity).toBeGreaterThanOrEqual(0.5);
    expect(byName.get('sparse-50%+int8-channel')!.gzipBytes).toBeLessThan(byName.get('int8-channel')!.gzipBytes);
    expect(byName.get('int8-channel')!.sizeBytes).toBeLessThan(artifact.base.sizeBytes * 0.27);
    expect(Math.abs(byName.get('int8-channel')!.accuracy - artifact.base.accuracy)).toBeLessThan(0.02);
  });

  it('rejects a build whose minimum accuracy no candidate reaches, listing each candidate', async () => {
    const error = await buildEdgeArtifact(input, { minAccuracy: 0.999, structuredFractions: [0.5], latencySamples: 5 }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'ARTIFACT_BELOW_MIN_ACCURACY' });
    const details = (error as { details: { candidates: { name: string; accuracy: number }[]; baseAccuracy: number } }).details;
    expect(details.candidates.map((candidate) => candidate.name)).toEqual(['int8-channel', 'sparse-50%+int8-channel', 'units-50%+int8-channel', 'units-50%+sparse-50%+int8-channel']);
    expect(details.baseAccuracy).toBeLessThan(0.999);
  });
});
