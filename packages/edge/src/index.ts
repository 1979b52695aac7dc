/** @shoal/edge: edge-optimised models (pruning, per-channel int8), serving helpers and drift statistics. */
export { isPrunable, pruneStructured, pruneUnstructured, sparsityOf } from './magnitude-pruning.js';
export { dequantize, quantizePerChannel, quantizedSizeBytes } from './per-channel-int8.js';
export type { QuantizedTensor } from './per-channel-int8.js';
export { DEFAULT_PSI_THRESHOLD, histogram, populationStabilityIndex } from './drift.js';
export { MicroBatcher } from './micro-batcher.js';
export { ModelSlot } from './model-slot.js';
export type { ServedModel } from './model-slot.js';
export { LatencyTracker } from './latency-tracker.js';
