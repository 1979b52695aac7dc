/** tfjs models inside a worker thread: the ML backend chosen once, one model per job, a version's weights set per request. */
import { decodeFrame } from '@shoal/codec';
import { initBackend, modelFromTopology, setWeights, weightSpecs } from '@shoal/ml';

export type WorkerModel = Awaited<ReturnType<typeof modelFromTopology>>;

const models = new Map<string, WorkerModel>();
let ready: Promise<unknown> | undefined;

/** The job's model with `weights` (a frame of kind `weights`) loaded; the model is built once per job. */
export async function modelWithWeights(jobId: string, topology: Record<string, unknown>, weights: Uint8Array): Promise<WorkerModel> {
  ready ??= initBackend({ log: () => undefined });
  await ready;
  let model = models.get(jobId);
  if (model === undefined) {
    model = await modelFromTopology(topology);
    models.set(jobId, model);
  }
  const { tensors } = decodeFrame(new Uint8Array(weights), { expected: weightSpecs(model), expectedKind: 'weights' });
  setWeights(model, tensors);
  return model;
}
