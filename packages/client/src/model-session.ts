/** Holds the client's tfjs model for a job: built once from the topology, loaded with each global version. */
import type { NamedTensor, TensorSpec } from '@shoal/protocol';
import { ShoalError } from '@shoal/protocol';
import { decodeFrame, type CodecRegistry } from '@shoal/codec';
import { getWeights, modelFromTopology, setWeights, weightSpecs } from '@shoal/ml';
import type { CoordinatorHttp } from './coordinator-http.js';

type Model = Awaited<ReturnType<typeof modelFromTopology>>;

export interface LoadedModel {
  jobId: string;
  version: number;
  model: Model;
  specs: TensorSpec[];
  global: NamedTensor[];
  bytesDown: number;
}

export class ModelSession {
  private current: LoadedModel | undefined;

  constructor(
    private readonly http: CoordinatorHttp,
    private readonly codecs: CodecRegistry,
  ) {}

  get loaded(): LoadedModel | undefined {
    return this.current;
  }

  /** Ensures the job's model holds the given global version; downloads only what it lacks. */
  async load(jobId: string, version: number, modelUrl: string, weightsUrl: string): Promise<LoadedModel> {
    let session = this.current;
    if (session?.jobId !== jobId) {
      const document = (await this.http.json(modelUrl)) as { modelTopology?: unknown };
      const model = await modelFromTopology(document.modelTopology ?? document);
      session?.model.dispose();
      session = { jobId, version: -1, model, specs: weightSpecs(model), global: [], bytesDown: 0 };
      this.current = session;
    }
    if (session.version !== version) {
      const frame = await this.http.bytes(weightsUrl);
      const { tensors } = decodeFrame(frame, { registry: this.codecs, expected: session.specs, expectedKind: 'weights' });
      setWeights(session.model, tensors);
      session.global = tensors;
      session.version = version;
      session.bytesDown = frame.byteLength;
    } else {
      // Training moved the model away from the global version; restore it.
      setWeights(session.model, session.global);
      session.bytesDown = 0;
    }
    return session;
  }

  /** local − global per tensor, the update a client uploads. */
  delta(session: LoadedModel): NamedTensor[] {
    const local = getWeights(session.model);
    return local.map((tensor, t) => {
      const global = session.global[t];
      if (global === undefined || global.name !== tensor.name) throw new ShoalError('INTERNAL', `tensor ${tensor.name} has no global counterpart`);
      const values = new Float32Array(tensor.values.length);
      for (let i = 0; i < values.length; i++) values[i] = tensor.values[i]! - global.values[i]!;
      return { name: tensor.name, shape: tensor.shape, values };
    });
  }

  /** Puts the global weights back so `predict` serves the latest global model, not a half-trained local one. */
  restoreGlobal(): void {
    if (this.current !== undefined && this.current.global.length > 0) setWeights(this.current.model, this.current.global);
  }

  dispose(): void {
    this.current?.model.dispose();
    this.current = undefined;
  }
}
