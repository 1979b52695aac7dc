/** Worker thread that evaluates global models on a held-out set, so the coordinator's event loop never blocks on tfjs. */
import { parentPort } from 'node:worker_threads';
import { loadMnist, type LabeledExamples } from '@shoal/data';
import { decodeFrame } from '@shoal/codec';
import { evaluateModel, initBackend, modelFromTopology, setWeights, weightSpecs } from '@shoal/ml';
import { ShoalError } from '@shoal/protocol';
import type { EvaluationRequest, EvaluationReply } from './central-evaluator.js';

type Model = Awaited<ReturnType<typeof modelFromTopology>>;

const models = new Map<string, Model>();
const datasets = new Map<string, LabeledExamples>();
let ready: Promise<unknown> | undefined;

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

async function evaluate(request: EvaluationRequest): Promise<EvaluationReply> {
  ready ??= initBackend({ log: () => undefined });
  await ready;
  let model = models.get(request.jobId);
  if (model === undefined) {
    model = await modelFromTopology(request.topology);
    models.set(request.jobId, model);
  }
  const { tensors } = decodeFrame(new Uint8Array(request.weights), { expected: weightSpecs(model), expectedKind: 'weights' });
  setWeights(model, tensors);
  const result = await evaluateModel(model, dataset(request.dataset, request.limit), { batchSize: 500 });
  return { id: request.id, ok: true, ...result };
}

parentPort?.on('message', (request: EvaluationRequest) => {
  evaluate(request).then(
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, ok: false, error: ShoalError.from(error).toWire() } satisfies EvaluationReply),
  );
});
