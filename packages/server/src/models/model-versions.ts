/**
 * A job's model versions as weights: the one place a version's float32 weights frame is encoded and a stored one
 * decoded. It keeps the latest version's weights in memory, so a runner never decodes the frame it just encoded.
 */
import { decodeFrame, encodeFrame, type CodecRegistry } from '@shoal/codec';
import { ShoalError, type NamedTensor, type TensorSpec } from '@shoal/protocol';
import type { RunnerContext } from '../rounds/runner-context.js';

/** The frame a version is stored as: float32, lossless, so decoding it gives back exactly the weights encoded. */
export function encodeWeights(tensorSpecs: readonly TensorSpec[], weights: readonly Float32Array[], codecs: CodecRegistry): Uint8Array {
  return encodeFrame('weights', tensorSpecs.map((spec, i) => ({ ...spec, values: weights[i]! })), { id: 'float32' }, codecs);
}

/** The weights of a weights frame of the job's model (stored, or in its download codec). */
export function decodeWeights(frame: Uint8Array, tensorSpecs: readonly TensorSpec[], codecs: CodecRegistry): NamedTensor[] {
  return decodeFrame(frame, { registry: codecs, expected: tensorSpecs, expectedKind: 'weights' }).tensors;
}

export interface ModelVersion {
  version: number;
  weights: readonly Float32Array[];
}

export class ModelVersions {
  private latestKept: ModelVersion | undefined;

  constructor(
    private readonly jobId: string,
    private readonly tensorSpecs: readonly TensorSpec[],
    private readonly store: Pick<RunnerContext['store'], 'getVersionWeights'>,
    private readonly codecs: CodecRegistry,
  ) {}

  /** The weights of `version`: from memory when it is the one kept, else decoded from the store (and kept). */
  weights(version: number): readonly Float32Array[] {
    if (this.latestKept?.version === version) return this.latestKept.weights;
    const frame = this.store.getVersionWeights(this.jobId, version);
    if (frame === undefined) throw new ShoalError('INTERNAL', `model version ${version} of job ${this.jobId} is missing`);
    const weights = decodeWeights(frame, this.tensorSpecs, this.codecs).map((tensor) => tensor.values);
    this.latestKept = { version, weights };
    return weights;
  }

  /** The frame to store for a new version. */
  encode(weights: readonly Float32Array[]): Uint8Array {
    return encodeWeights(this.tensorSpecs, weights, this.codecs);
  }

  /**
   * The version was stored: its weights become the ones kept. They are copied, since a strategy may keep (and later
   * change) the arrays it returned; the stored frame is lossless, so the copy equals what decoding it would give.
   */
  stored(version: number, weights: readonly Float32Array[]): void {
    this.latestKept = { version, weights: weights.map((tensor) => tensor.slice()) };
  }
}
