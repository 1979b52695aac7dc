/** Runs inside a worker_threads Worker (see worker-training.test.ts): its own tfjs, backend and model. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildPresetModel, initBackend, trainLocal } from './index.js';
import { syntheticExamples } from './testing/test-support.js';

const { seed } = workerData as { seed: number };
const backend = await initBackend({ log: () => {} });
const model = buildPresetModel('mnist-2nn', { seed });
const result = await trainLocal(model, syntheticExamples(64, [784], seed), { epochs: 2, batchSize: 16, learningRate: 0.1, seed });
parentPort?.postMessage({ backend: backend.name, loss: result.loss, numExamples: result.numExamples });
