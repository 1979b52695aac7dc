/**
 * Builds an edge-optimised artifact from a trained model: shrunk, pruned, quantised and distilled candidates, each
 * decoded as a device would, scored on the held-out set and timed at batch 1; the fastest accurate one is kept.
 */
import { gzipSync } from 'node:zlib';
import type * as tf from '@tensorflow/tfjs';
import { ShoalError, type NamedTensor, type TensorSpec } from '@shoal/protocol';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import type { LabeledExamples } from '@shoal/data';
import { evaluateModel, modelFromTopology, setWeights, weightSpecs } from '@shoal/ml';
import type { ArtifactBuildInput, ArtifactBuildOptions } from './artifact-build-options.js';
import { candidateModels, type CandidateModel } from './artifact-candidates.js';
import { selectArtifact, type CandidateFigures } from './artifact-selection.js';
import { measureBatch1Latency } from './batch1-latency.js';
import type { DistillationOptions } from './distillation.js';
import { sparsityOf } from './magnitude-pruning.js';

export type { ArtifactBuildInput, ArtifactBuildOptions, ArtifactQuantization } from './artifact-build-options.js';

export interface EdgeArtifact extends CandidateFigures {
  topology: Record<string, unknown>;
  tensorSpecs: TensorSpec[];
  codec: { id: string; params: Record<string, unknown> };
  /** The artifact's weights: a `weights` frame in `codec`. */
  weights: Uint8Array;
  minAccuracy: number;
  heldOutExamples: number;
  /** The trained model as it is (float32), measured in the same run. */
  base: CandidateFigures;
  candidates: CandidateFigures[];
  /** Candidates that could not be built, with the reason. */
  skipped: string[];
}

interface Prepared extends Omit<CandidateFigures, 'latencyP50Ms' | 'latencyP99Ms'> {
  model: tf.LayersModel;
  topology: Record<string, unknown>;
  frame: Uint8Array;
}

const fail = (message: string): ShoalError => new ShoalError('VALIDATION_FAILED', message);

function checkOptions(options: ArtifactBuildOptions, input: ArtifactBuildInput): void {
  const { minAccuracy, sparsity = 0.5, structuredFractions = [], fineTuneEpochs = 0, latencySamples = 200 } = options;
  if (!(minAccuracy >= 0 && minAccuracy <= 1)) throw fail(`minAccuracy must be in [0, 1], got ${minAccuracy}`);
  if (!(sparsity >= 0 && sparsity < 1)) throw fail(`sparsity must be in [0, 1), got ${sparsity}`);
  if (!structuredFractions.every((fraction) => fraction > 0 && fraction < 1)) throw fail(`structuredFractions must each be in (0, 1), got ${JSON.stringify(structuredFractions)}`);
  if (!Number.isSafeInteger(fineTuneEpochs) || fineTuneEpochs < 0) throw fail(`fineTuneEpochs must be a non-negative integer, got ${fineTuneEpochs}`);
  if (!Number.isSafeInteger(latencySamples) || latencySamples < 1) throw fail(`latencySamples must be a positive integer, got ${latencySamples}`);
  if ((options.distill !== undefined || fineTuneEpochs > 0) && input.transferData === undefined) throw fail('distillation and fine-tuning need transferData (server-held examples)');
}

async function prepare(candidate: CandidateModel, codecId: string, heldOut: LabeledExamples, model?: tf.LayersModel): Promise<Prepared> {
  const frame = encodeFrame('weights', candidate.tensors, { id: codecId });
  // Scored as a device would run it: the frame decoded (int8 dequantised) into a model built from the topology.
  const decoded = decodeFrame(frame, { expectedKind: 'weights' }).tensors;
  const built = model ?? (await modelFromTopology(candidate.topology));
  if (model === undefined) setWeights(built, decoded);
  const { accuracy } = await evaluateModel(built, heldOut, { batchSize: 500 });
  const parameterCount = decoded.reduce((sum, tensor) => sum + tensor.values.length, 0);
  return { name: candidate.name, model: built, topology: candidate.topology, frame, accuracy, sizeBytes: frame.length, gzipBytes: gzipSync(frame).length, parameterCount, sparsity: sparsityOf(decoded) };
}

const figures = ({ model: _model, topology: _topology, frame: _frame, ...rest }: Prepared, latency: { p50Ms: number; p99Ms: number }): CandidateFigures => ({
  ...rest,
  latencyP50Ms: latency.p50Ms,
  latencyP99Ms: latency.p99Ms,
});

/** Throws ARTIFACT_BELOW_MIN_ACCURACY (details: each candidate's accuracy) when no candidate reaches minAccuracy. */
export async function buildEdgeArtifact(input: ArtifactBuildInput, options: ArtifactBuildOptions): Promise<EdgeArtifact> {
  checkOptions(options, input);
  const log = options.log ?? (() => undefined);
  const codecId = options.quantization === 'none' ? 'float32' : 'int8-channel';
  const teacher = await modelFromTopology(input.topology);
  const prepared: Prepared[] = [];
  try {
    setWeights(teacher, input.weights);
    const base = await prepare({ name: 'float32 (trained)', topology: input.topology, tensors: input.weights }, 'float32', input.heldOut, teacher);
    log(`base: accuracy ${base.accuracy.toFixed(4)}, ${base.sizeBytes} bytes`);
    const { models, skipped } = await candidateModels(teacher, input, options);
    for (const candidate of models) {
      prepared.push(await prepare(candidate, codecId, input.heldOut));
      log(`${candidate.name}: accuracy ${prepared.at(-1)!.accuracy.toFixed(4)}, ${prepared.at(-1)!.sizeBytes} bytes`);
    }
    const timed = Math.min(input.heldOut.count, 256);
    const perExample = input.heldOut.features.length / input.heldOut.count;
    const latencies = measureBatch1Latency([teacher, ...prepared.map((entry) => entry.model)], input.heldOut.features.subarray(0, timed * perExample), timed, {
      samples: options.latencySamples ?? 200,
    });
    const baseFigures = figures(base, latencies[0]!);
    const candidates = prepared.map((entry, index) => figures(entry, latencies[index + 1]!));
    const chosen = selectArtifact(candidates, options.minAccuracy, { details: { baseAccuracy: base.accuracy, skipped } });
    const winner = prepared[candidates.indexOf(chosen)]!;
    return {
      ...chosen,
      topology: winner.topology,
      tensorSpecs: weightSpecs(winner.model),
      codec: { id: codecId, params: {} },
      weights: winner.frame,
      minAccuracy: options.minAccuracy,
      heldOutExamples: input.heldOut.count,
      base: baseFigures,
      candidates,
      skipped,
    };
  } finally {
    teacher.dispose();
    for (const entry of prepared) entry.model.dispose();
  }
}
