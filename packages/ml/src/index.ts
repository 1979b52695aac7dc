/** @shoal/ml: the tfjs runtime of Shoal clients: backend choice, model presets and topologies, weights, local training. */
export { initBackend, activeBackend } from './backend.js';
export { PRESETS, buildPresetModel } from './presets.js';
export type { PresetName } from './presets.js';
export { modelFromTopology, modelToTopology } from './topology.js';
export { weightSpecs, getWeights, setWeights } from './weights.js';
export { trainLocal } from './train-local.js';
export { evaluateModel } from './evaluate.js';
export { predict } from './predict.js';
export { classifierShape } from './classifier.js';
