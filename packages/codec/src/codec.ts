/** The Codec contract: how one tensor's float32 values become bytes in a frame's payload and back. */

/** A codec's parameters as they travel in the frame header's `codec.params` (a JSON object). */
export type CodecParams = Record<string, unknown>;

/** Uniform random numbers in [0, 1); stochastic codecs take one so that tests and servers can seed them. */
export type RandomSource = () => number;

/**
 * One tensor encoding. Implementations are stateless and pure; every method that reads bytes
 * validates them first and throws ShoalError (FRAME_MALFORMED or NON_FINITE_VALUES) before
 * writing anything, so a caller never sees a half-applied decode.
 */
export interface Codec {
  /** Name written in the frame header, e.g. 'float32', 'int8'; matches ^[a-z0-9][a-z0-9+._-]{0,63}$. */
  readonly id: string;
  readonly lossless: boolean;
  /** E[decode(encode(x))] = x over the encoder's randomness (up to float32 rounding). Absent means false. */
  readonly unbiased?: boolean;
  /** Decoded tensors are zero except at the entries the encoding lists (top-k, random-k). Absent means false. */
  readonly sparse?: boolean;
  /** Throws ShoalError('VALIDATION_FAILED') naming the bad param; unknown params are refused. */
  validateParams(params: CodecParams): void;
  /** Exact encoded size when it depends only on the element count; undefined when data-dependent. */
  encodedByteLength(elementCount: number, params: CodecParams): number | undefined;
  /** For data-dependent sizes: the most bytes a valid encoding of `elementCount` values can take. */
  maxEncodedByteLength?(elementCount: number, params: CodecParams): number;
  /**
   * Encodes finite values; a NaN or ±Infinity input throws NON_FINITE_VALUES. Stochastic codecs
   * draw from `random` (default Math.random); deterministic codecs ignore it. `shape` is the
   * tensor's shape, for codecs whose layout follows it (int8-channel: one scale per last-axis channel).
   */
  encode(values: Float32Array, params: CodecParams, random?: RandomSource, shape?: readonly number[]): Uint8Array;
  /**
   * Checks that `bytes` are a well-formed encoding of `elementCount` values and that every decoded
   * value would be finite, without decoding into memory. Both decode paths run it first.
   */
  validateEncoded(bytes: Uint8Array, elementCount: number, params: CodecParams): void;
  /**
   * target[i] += weight · decoded[i], rounded as float32(target[i] + float32(weight · decoded[i]));
   * validates the bytes (and target length) before touching target.
   */
  decodeInto(bytes: Uint8Array, elementCount: number, params: CodecParams, target: Float32Array, weight: number): void;
  decode(bytes: Uint8Array, elementCount: number, params: CodecParams): Float32Array;
}

/**
 * The package's own codecs also implement this: decodeInto without re-validating, for callers that
 * have just run validateEncoded on the same bytes (accumulateFrame's second pass).
 */
export interface StreamingCodec extends Codec {
  addValidated(bytes: Uint8Array, elementCount: number, params: CodecParams, target: Float32Array, weight: number): void;
}

export function isStreamingCodec(codec: Codec): codec is StreamingCodec {
  return typeof (codec as Partial<StreamingCodec>).addValidated === 'function';
}
