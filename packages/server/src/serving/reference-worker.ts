/** Worker thread that profiles a model on MNIST test images (see reference-profiler.ts), off the coordinator's event loop. */
import { loadMnist } from '@shoal/data';
import { histogram } from '@shoal/edge';
import { predict } from '@shoal/ml';
import { ShoalError, elementCount } from '@shoal/protocol';
import { modelWithWeights } from '../workers/worker-models.js';
import { answerRequests } from '../workers/worker-rpc.js';
import { INPUT_HISTOGRAM_BINS, type ReferenceProfile } from './deployment.js';
import type { ReferenceRequest } from './reference-profiler.js';

const MNIST_PIXELS = 28 * 28;

answerRequests(async (request: ReferenceRequest & { id: number }): Promise<ReferenceProfile> => {
  const model = await modelWithWeights(request.jobId, request.topology, request.weights);
  const inputShape = model.inputs[0]?.shape.slice(1) ?? [];
  if (model.inputs.length !== 1 || elementCount(inputShape.map((extent) => extent ?? 0)) !== MNIST_PIXELS) {
    throw new ShoalError('UNSUPPORTED_MODEL', `the reference distribution is measured on MNIST images (${MNIST_PIXELS} values); the model's input is [${inputShape.join(', ')}]`);
  }
  const data = loadMnist('test', { limit: request.examples });
  const { classes } = predict(model, data.features, data.count);
  const numClasses = Number(model.outputs[0]?.shape.at(-1));
  const classCounts = new Array<number>(numClasses).fill(0);
  for (const predicted of classes) classCounts[predicted]! += 1;
  return { examples: data.count, inputHistogram: histogram(data.features, INPUT_HISTOGRAM_BINS, 0, 1), classCounts };
});
