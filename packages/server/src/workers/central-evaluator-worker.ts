/** Worker thread that evaluates global models on a held-out set, so the coordinator's event loop never blocks on tfjs. */
import { loadMnist, type LabeledExamples } from '@shoal/data';
import { evaluateModel } from '@shoal/ml';
import { ShoalError } from '@shoal/protocol';
import type { EvaluationRequest } from './central-evaluator.js';
import { modelWithWeights } from './worker-models.js';
import { answerRequests } from './worker-rpc.js';

const datasets = new Map<string, LabeledExamples>();

function dataset(name: string, limit: number | undefined): LabeledExamples {
  const key = `${name}:${limit ?? 'all'}`;
  let data = datasets.get(key);
  if (data === undefined) {
    if (name !== 'mnist-test') throw new ShoalError('VALIDATION_FAILED', `unknown evaluation dataset '${name}'`);
    data = loadMnist('test', limit === undefined ? {} : { limit });
    datasets.set(key, data);
  }
  return data;
}

answerRequests(async (request: EvaluationRequest) => {
  const model = await modelWithWeights(request.jobId, request.topology, request.weights);
  return evaluateModel(model, dataset(request.dataset, request.limit), { batchSize: 500 });
});
