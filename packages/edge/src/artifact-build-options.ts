/** What an edge artifact is built from and how (the builder's input and options), apart so candidates can share them. */
import type { NamedTensor } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import type { DistillationOptions } from './distillation.js';

export type ArtifactQuantization = 'int8-channel' | 'none';

export interface ArtifactBuildInput {
  topology: Record<string, unknown>;
  weights: NamedTensor[];
  /** What accuracy is measured on. */
  heldOut: LabeledExamples;
  /** Server-held examples the teacher labels, for distillation and fine-tuning (needed by either). */
  transferData?: LabeledExamples;
}

export interface ArtifactBuildOptions {
  minAccuracy: number;
  /** Unstructured magnitude pruning of kernels, tried on every candidate; default 0.5, 0 for none. */
  sparsity?: number;
  /** Fractions of units / filters to drop, one shrunk candidate each; default [0.25, 0.5]. */
  structuredFractions?: readonly number[];
  /** Epochs of distillation from the trained model that fine-tune each shrunk model; default 0. */
  fineTuneEpochs?: number;
  /** The weights codec of every candidate; default int8-channel. */
  quantization?: ArtifactQuantization;
  /** A smaller student trained on the teacher's outputs over `transferData`. */
  distill?: DistillationOptions & { student: Record<string, unknown> };
  /** Timed batch-1 predictions per candidate; default 200. */
  latencySamples?: number;
  log?: (line: string) => void;
}
