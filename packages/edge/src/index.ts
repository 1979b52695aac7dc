/** @shoal/edge: edge-optimised models (pruning, shrinking, per-channel int8, distillation, artifact building), serving helpers and drift statistics. */
export { DEFAULT_PSI_THRESHOLD, histogram, populationStabilityIndex } from './drift.js';
export { MicroBatcher } from './micro-batcher.js';
export { ModelSlot } from './model-slot.js';
export { LatencyTracker } from './latency-tracker.js';
export { measureBatch1Latency } from './batch1-latency.js';
export { distill, softTargets } from './distillation.js';
export type { CandidateFigures } from './artifact-selection.js';
export { buildEdgeArtifact } from './artifact-builder.js';
export type { ArtifactQuantization, EdgeArtifact } from './artifact-builder.js';
