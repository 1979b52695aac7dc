/**
 * Holds the client's tfjs model for a job: built once from the topology, loaded with each global
 * version. Downloads are compressed against the last full model the client received (its anchor):
 * the client names the anchor's version as `base`, and the coordinator answers either with the
 * full model (a frame of kind weights, which becomes the new anchor) or with the version as a delta
 * from the anchor (kind delta), which the client adds to the anchor. See protocols/v1/README.md §4.
 */
import type { NamedTensor, TensorSpec } from '@shoal/protocol';
import { ShoalError } from '@shoal/protocol';
import { accumulateFrame, decodeFrame, readFrameHeader, type CodecRegistry } from '@shoal/codec';
import { getWeights, modelFromTopology, setWeights, weightSpecs } from '@shoal/ml';
import type { CoordinatorHttp } from './coordinator-http.js';

type Model = Awaited<ReturnType<typeof modelFromTopology>>;

export interface LoadedModel {
  jobId: string;
  version: number;
  model: Model;
  specs: TensorSpec[];
  /** The global model as this client reconstructed it: what it trains from and what its delta is relative to. */
  global: NamedTensor[];
  /** The last full model received, and its version; deltas are downloaded relative to it. */
  anchor: { version: number; tensors: NamedTensor[] } | undefined;
  bytesDown: number;
}

/** The weights URL with `base` set to the anchor's version, when the anchor is older than the version wanted. */
function weightsUrlFrom(weightsUrl: string, anchorVersion: number | undefined, version: number): string {
  if (anchorVersion === undefined || anchorVersion >= version) return weightsUrl;
  return `${weightsUrl}${weightsUrl.includes('?') ? '&' : '?'}base=${anchorVersion}`;
}

/** anchor + decoded delta, in float32: the same arithmetic the coordinator uses to say what it intends. */
function applyDownloadedDelta(anchor: readonly NamedTensor[], frame: Uint8Array, specs: readonly TensorSpec[], codecs: CodecRegistry): NamedTensor[] {
  const result = anchor.map((tensor) => ({ name: tensor.name, shape: [...tensor.shape], values: Float32Array.from(tensor.values) }));
  accumulateFrame(frame, result.map((tensor) => tensor.values), 1, { registry: codecs, expected: specs, expectedKind: 'delta' });
  return result;
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
      session = { jobId, version: -1, model, specs: weightSpecs(model), global: [], anchor: undefined, bytesDown: 0 };
      this.current = session;
    }
    if (session.version !== version) {
      const frame = await this.http.bytes(weightsUrlFrom(weightsUrl, session.anchor?.version, version));
      const kind = readFrameHeader(frame, { registry: this.codecs }).kind;
      if (kind === 'weights') {
        const { tensors } = decodeFrame(frame, { registry: this.codecs, expected: session.specs, expectedKind: 'weights' });
        session.anchor = { version, tensors };
        session.global = tensors;
      } else {
        const anchor = session.anchor;
        if (anchor === undefined || anchor.version >= version) throw new ShoalError('FRAME_MALFORMED', 'the coordinator sent a delta, but this client asked for the full model');
        session.global = applyDownloadedDelta(anchor.tensors, frame, session.specs, this.codecs);
      }
      setWeights(session.model, session.global);
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
