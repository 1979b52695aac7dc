/**
 * Where an uploaded update enters a round: its frame is read once, checked against the job (kind, codec, model,
 * size), decoded once into the round's reusable arrays, and measured; an update whose values are not finite or
 * whose L2 norm exceeds the job's bound is refused before any strategy sees it. Pure: no I/O.
 */
import { ShoalError, type TensorSpec } from '@shoal/protocol';
import { accumulateParsedFrame, createAccumulators, readFrameHeader, sumOfSquares, type CodecRegistry, type FrameLimits } from '@shoal/codec';

export interface UpdateIntakeSettings {
  tensorSpecs: readonly TensorSpec[];
  uploadCodec: { id: string; params: Record<string, unknown> };
  maxUpdateBytes: number;
  frameLimits: FrameLimits;
  codecs: CodecRegistry;
}

export interface DecodedUpdate {
  /** The round's scratch arrays, holding this update until the next one is decoded. */
  values: readonly Float32Array[];
  l2Norm: number;
}

/** Params are compared as JSON values with keys in any order. */
function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const sorted = (params: Record<string, unknown>) => JSON.stringify(Object.keys(params).sort().map((key) => [key, params[key]]));
  return sorted(a) === sorted(b);
}

const named = (codec: { id: string; params: Record<string, unknown> }) => `'${codec.id}' ${JSON.stringify(codec.params)}`;

/** ‖x‖₂ over all tensors, summed in float64 so that no float32 overflow or cancellation hides a huge update. */
export function l2NormOf(tensors: readonly Float32Array[]): number {
  return Math.sqrt(sumOfSquares(tensors));
}

/**
 * The default bound on an update's norm: ten times the global weights' norm, and at least √P (a change of 1 in
 * every parameter at once). Honest training stays far below it; what it stops is the absurd (a ±3e38 int8 scale
 * that would overflow the sum), while targeted attacks are the robust strategies' job.
 */
export function defaultMaxUpdateNorm(globalWeights: readonly Float32Array[]): number {
  const parameters = globalWeights.reduce((total, tensor) => total + tensor.length, 0);
  return Math.max(10 * l2NormOf(globalWeights), Math.sqrt(parameters));
}

export class UpdateIntake {
  private readonly scratch: Float32Array[];

  constructor(private readonly settings: UpdateIntakeSettings) {
    this.scratch = createAccumulators(settings.tensorSpecs.map((spec) => spec.shape.reduce((a, b) => a * b, 1)));
  }

  /**
   * Throws the ShoalError the sender receives (UPDATE_OUT_OF_BOUNDS when ‖Δ‖₂ > maxUpdateNorm); on success the
   * values stay valid until the next call.
   */
  decode(update: Uint8Array, maxUpdateNorm: number): DecodedUpdate {
    const { settings } = this;
    if (update.byteLength > settings.maxUpdateBytes) {
      throw new ShoalError('PAYLOAD_TOO_LARGE', `update of ${update.byteLength} bytes exceeds this job's limit of ${settings.maxUpdateBytes}`);
    }
    const header = readFrameHeader(update, { registry: settings.codecs, limits: settings.frameLimits });
    // As frame.md §6 check 19: a frame of another kind is not this message's frame.
    if (header.kind !== 'delta') throw new ShoalError('FRAME_MALFORMED', `update frame must be of kind 'delta', got '${header.kind}'`, { details: { kind: header.kind, expectedKind: 'delta' } });
    if (header.codec.id !== settings.uploadCodec.id || !sameParams(header.codec.params, settings.uploadCodec.params)) {
      throw new ShoalError('VALIDATION_FAILED', `update uses codec ${named(header.codec)}; this job uploads with ${named(settings.uploadCodec)}`);
    }
    for (const tensor of this.scratch) tensor.fill(0);
    // Validates structure and finiteness of every decoded value before writing any of them.
    accumulateParsedFrame(update, header, this.scratch, 1, { registry: settings.codecs, expected: settings.tensorSpecs, expectedKind: 'delta' });
    const l2Norm = l2NormOf(this.scratch);
    if (!(l2Norm <= maxUpdateNorm)) {
      throw new ShoalError('UPDATE_OUT_OF_BOUNDS', `update has L2 norm ${l2Norm.toPrecision(4)}; this round accepts at most ${maxUpdateNorm.toPrecision(4)}`, {
        details: { l2Norm: Number.isFinite(l2Norm) ? l2Norm : null, maxUpdateNorm },
      });
    }
    return { values: this.scratch, l2Norm };
  }
}
