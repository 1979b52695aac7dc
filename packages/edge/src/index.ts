/** @shoal/edge: edge-optimised models (pruning, shrinking, per-channel int8, distillation, artifact building), serving helpers and drift statistics. */
export { isPrunable, pruneStructured, pruneUnstructured, sparsityOf } from './magnitude-pruning.js';
export { dequantize, quantizePerChannel, quantizedSizeBytes } from './per-channel-int8.js';
export type { QuantizedTensor } from './per-channel-int8.js';
export { DEFAULT_PSI_THRESHOLD, histogram, populationStabilityIndex } from './drift.js';
export { MicroBatcher } from './micro-batcher.js';
export { ModelSlot } from './model-slot.js';
export type { ServedModel } from './model-slot.js';
export { LatencyTracker } from './latency-tracker.js';
export { measureBatch1Latency } from './batch1-latency.js';
export type { LatencyFigures, LatencyOptions } from './batch1-latency.js';
export { channelNorms, shrinkUnits } from './unit-shrinking.js';
export type { ShrunkModel } from './unit-shrinking.js';
export { distill, softTargets } from './distillation.js';
export type { DistillationOptions, DistillationResult } from './distillation.js';
export { LATENCY_TIE_TOLERANCE, selectArtifact } from './artifact-selection.js';
export type { CandidateFigures } from './artifact-selection.js';
export { buildEdgeArtifact } from './artifact-builder.js';
export type { ArtifactBuildInput, ArtifactBuildOptions, ArtifactQuantization, EdgeArtifact } from './artifact-builder.js';
