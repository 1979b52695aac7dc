/**
 * The candidates of an artifact build: the trained weights quantised, the architecture shrunk by each structured
 * fraction (optionally fine-tuned from the teacher), a distilled student, each also pruned to the unstructured sparsity.
 */
import type * as tf from '@tensorflow/tfjs';
import { ShoalError, type NamedTensor } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import { getWeights, modelFromTopology, modelToTopology, setWeights } from '@shoal/ml';
import type { ArtifactBuildInput, ArtifactBuildOptions } from './artifact-build-options.js';
import { distill, softTargets, type DistillationOptions } from './distillation.js';
import { pruneUnstructured } from './magnitude-pruning.js';
import { shrinkUnits } from './unit-shrinking.js';

export interface CandidateModel {
  name: string;
  topology: Record<string, unknown>;
  tensors: NamedTensor[];
}

const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** Trains `topology` (from `tensors`, or its own initialisation) on the teacher's soft targets; returns its weights. */
async function trainedOnTeacher(topology: Record<string, unknown>, tensors: NamedTensor[] | undefined, data: LabeledExamples, targets: Float32Array, options: DistillationOptions): Promise<Omit<CandidateModel, 'name'>> {
  const model = await modelFromTopology(topology);
  try {
    if (tensors !== undefined) setWeights(model, tensors);
    await distill(model, data, targets, options);
    return { topology: modelToTopology(model) as Record<string, unknown>, tensors: getWeights(model) };
  } finally {
    model.dispose();
  }
}

/** Candidate names say what was done: `units-25%-tuned+sparse-50%+int8-channel`, `student+int8-channel`. */
export async function candidateModels(teacher: tf.LayersModel, input: ArtifactBuildInput, options: ArtifactBuildOptions): Promise<{ models: CandidateModel[]; skipped: string[] }> {
  const { sparsity = 0.5, structuredFractions = [0.25, 0.5], fineTuneEpochs = 0, quantization = 'int8-channel', distill: student } = options;
  const codecName = quantization === 'none' ? 'float32' : 'int8-channel';
  const models: CandidateModel[] = [];
  const skipped: string[] = [];
  const variants = (prefix: string | undefined, topology: Record<string, unknown>, tensors: NamedTensor[]): void => {
    for (const level of sparsity > 0 ? [0, sparsity] : [0]) {
      // Without pruning or quantisation the trained model itself would come back: it is the base, not a candidate.
      if (prefix === undefined && level === 0 && quantization === 'none') continue;
      const name = [prefix, level > 0 ? `sparse-${percent(level)}` : undefined, codecName].filter((part) => part !== undefined).join('+');
      models.push({ name, topology, tensors: level > 0 ? pruneUnstructured(tensors, level) : tensors });
    }
  };
  const targetsAt = new Map<number, Float32Array>();
  const teacherTargets = (temperature: number): Float32Array => {
    if (!targetsAt.has(temperature)) targetsAt.set(temperature, softTargets(teacher, input.transferData!, temperature));
    return targetsAt.get(temperature)!;
  };

  variants(undefined, input.topology, input.weights);
  for (const fraction of structuredFractions) {
    const label = `units-${percent(fraction)}`;
    try {
      const shrunk = shrinkUnits(input.topology, input.weights, fraction);
      if (shrunk.layers.length === 0) throw new ShoalError('NOT_IMPLEMENTED', 'no layer could be shrunk');
      const tuned = fineTuneEpochs === 0 ? shrunk : await trainedOnTeacher(shrunk.topology, shrunk.tensors, input.transferData!, teacherTargets(2), { epochs: fineTuneEpochs, learningRate: 0.001 });
      variants(fineTuneEpochs === 0 ? label : `${label}-tuned`, tuned.topology, tuned.tensors);
    } catch (error) {
      if (!(error instanceof ShoalError && error.code === 'NOT_IMPLEMENTED')) throw error;
      skipped.push(`${label}: ${error.message}`);
    }
  }
  if (student !== undefined) {
    const trained = await trainedOnTeacher(student.student, undefined, input.transferData!, teacherTargets(student.temperature ?? 2), student);
    variants('student', trained.topology, trained.tensors);
  }
  return { models, skipped };
}
