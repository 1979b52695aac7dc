/**
 * A trainer worker: one tfjs instance that trains any virtual client's task on the shared data set. It holds the
 * job's model and the latest global weights it was sent; a task names the client's examples by index only. It trains
 * as the task says (FedProx's μ included), clips the update to the task's updateClipNorm as an honest client does,
 * and only then applies the client's attack, if any.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ShoalError, type NamedTensor } from '@shoal/protocol';
import { decodeFrame, defaultCodecRegistry, encodeFrame } from '@shoal/codec';
import { createRng, type LabeledExamples } from '@shoal/data';
import { evaluateModel, getWeights, initBackend, modelFromTopology, setWeights, trainLocal, weightSpecs } from '@shoal/ml';
import type { SharedDataset } from './sim-dataset.js';
import type { AttackPlan, TrainedUpdate, WorkerInit, WorkerReply, WorkerRequest } from './worker-messages.js';

type Model = Awaited<ReturnType<typeof modelFromTopology>>;

const { train, test } = workerData as WorkerInit;
const codecs = defaultCodecRegistry();
const ready = initBackend({ log: () => undefined });
let model: { jobId: string; model: Model } | undefined;
let global: { version: number; tensors: NamedTensor[] } | undefined;
let testSet: { limit: number; data: LabeledExamples } | undefined;

/** Copies the listed examples out of shared memory as floats: the only per-task copy of a client's data. */
function gather(data: SharedDataset, indices: ArrayLike<number>): LabeledExamples {
  const row = data.featureShape.reduce((a, b) => a * b, 1);
  const features = new Float32Array(indices.length * row);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i]! * row;
    for (let k = 0; k < row; k++) features[i * row + k] = data.features[source + k]! * data.scale;
    labels[i] = data.labels[indices[i]!]!;
  }
  return { features, labels, count: indices.length, featureShape: data.featureShape, numClasses: data.numClasses };
}

function requireModel(jobId: string): Model {
  if (model?.jobId !== jobId) throw new ShoalError('INTERNAL', `worker has no model for job ${jobId}`);
  return model.model;
}

function decodeWeights(current: Model, frame: Uint8Array): NamedTensor[] {
  return decodeFrame(frame, { registry: codecs, expected: weightSpecs(current), expectedKind: 'weights' }).tensors;
}

/**
 * An honest client's L2 clip to the task's updateClipNorm (the SDK clips with @shoal/privacy's clipInPlace, which
 * the simulator does not depend on).
 */
function clipToNorm(delta: NamedTensor[], clipNorm: number | undefined): void {
  if (clipNorm === undefined) return;
  let sum = 0;
  for (const { values } of delta) for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  const norm = Math.sqrt(sum);
  if (norm <= clipNorm) return;
  const factor = clipNorm / norm;
  for (const { values } of delta) for (let i = 0; i < values.length; i++) values[i]! *= factor;
}

/**
 * Sign flipping, scaling, or noise of the same per-tensor RMS as the honest update (random, and inflate, which sends
 * such noise while claiming 10^9 examples); alie leaves it to the colluding attackers.
 */
function corrupt(delta: NamedTensor[], plan: AttackPlan): void {
  const rng = createRng(plan.seed);
  for (const tensor of delta) {
    const values = tensor.values;
    if (plan.attack === 'random' || plan.attack === 'inflate') {
      const rms = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / Math.max(1, values.length));
      for (let i = 0; i < values.length; i++) values[i] = rms * rng.normal();
    } else if (plan.attack === 'sign-flip' || plan.attack === 'scale') {
      const factor = plan.attack === 'sign-flip' ? -1 : plan.scale;
      for (let i = 0; i < values.length; i++) values[i]! *= factor;
    }
  }
}

/** The update's buffers move to the host rather than being copied. */
function transferables(update: TrainedUpdate): ArrayBuffer[] {
  const views = update.kind === 'frame' ? [update.frame] : update.tensors.map((tensor) => tensor.values);
  return views.map((view) => view.buffer as ArrayBuffer);
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  const backend = await ready;
  switch (request.type) {
    case 'ready':
      return { id: request.id, ok: true, type: 'ready', backend: backend.name };
    case 'model': {
      model?.model.dispose();
      const document = request.topology as { modelTopology?: unknown };
      model = { jobId: request.jobId, model: await modelFromTopology(document.modelTopology ?? document) };
      global = undefined;
      return { id: request.id, ok: true, type: 'model' };
    }
    case 'fit': {
      const current = requireModel(request.jobId);
      if (request.weights !== undefined) global = { version: request.version, tensors: decodeWeights(current, request.weights) };
      if (global?.version !== request.version) throw new ShoalError('INTERNAL', `worker lacks the weights of version ${request.version}`);
      setWeights(current, global.tensors);
      const data = gather(train, request.indices);
      const result = await trainLocal(current, data, {
        epochs: request.epochs,
        batchSize: Math.min(request.batchSize, data.count),
        learningRate: request.learningRate,
        seed: request.seed,
        ...(request.proximalMu === undefined ? {} : { proximalMu: request.proximalMu }),
      });
      const delta = getWeights(current).map((tensor, t) => {
        const base = global!.tensors[t]!.values;
        const values = new Float32Array(tensor.values.length);
        for (let i = 0; i < values.length; i++) values[i] = tensor.values[i]! - base[i]!;
        return { name: tensor.name, shape: tensor.shape, values };
      });
      clipToNorm(delta, request.updateClipNorm);
      // An attacker corrupts the update an honest client would send, and ignores the bound from then on.
      const attack = request.attack;
      let update: TrainedUpdate;
      if (attack?.attack === 'alie') update = { kind: 'honest', tensors: delta };
      else {
        if (attack !== undefined) corrupt(delta, attack);
        update = { kind: 'frame', frame: encodeFrame('delta', delta, request.codec, codecs) };
      }
      return { id: request.id, ok: true, type: 'fit', update, numExamples: result.numExamples, loss: result.loss, accuracy: result.accuracy, trainMs: result.durationMs };
    }
    case 'evaluate': {
      const current = requireModel(request.jobId);
      setWeights(current, decodeWeights(current, request.weights));
      const limit = request.limit === undefined ? test.count : Math.min(request.limit, test.count);
      if (testSet?.limit !== limit) testSet = { limit, data: gather(test, Int32Array.from({ length: limit }, (_, i) => i)) };
      const result = await evaluateModel(current, testSet.data, { batchSize: 500 });
      return { id: request.id, ok: true, type: 'evaluate', ...result };
    }
  }
}

parentPort?.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (reply) => parentPort?.postMessage(reply, reply.ok && reply.type === 'fit' ? transferables(reply.update) : []),
    (error: unknown) => parentPort?.postMessage({ id: request.id, ok: false, error: ShoalError.from(error).toWire() } satisfies WorkerReply),
  );
});
