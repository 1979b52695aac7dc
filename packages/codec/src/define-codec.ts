/** Builds a Codec from its codec-specific parts, wiring in the checks every codec runs the same way. */
import { ShoalError } from '@shoal/protocol';
import type { CodecParams, RandomSource, StreamingCodec } from './codec.js';
import { checkByteLength, checkElementCount, checkTarget, refuseNonFiniteInput, refuseUnknownParams } from './codec-checks.js';

/** Reads decoded value `index` of validated bytes; composed codecs use it to walk the kept values. */
export type ValueReader = (index: number) => number;

export interface CodecDefinition {
  id: string;
  lossless: boolean;
  unbiased?: boolean;
  sparse?: boolean;
  /** The params the codec takes; any other key is refused. */
  paramKeys: readonly string[];
  /** Checks param values (the keys are already known); throws VALIDATION_FAILED naming the param. */
  checkParams?(params: CodecParams): void;
  /** Exact size for codecs whose size depends only on the element count. */
  byteLength?(elementCount: number, params: CodecParams): number;
  /** Upper bound for codecs whose size depends on the data. */
  maxByteLength?(elementCount: number, params: CodecParams): number;
  /** Values are finite and params valid when this runs; `shape` is given when the caller knows it. */
  encode(values: Float32Array, params: CodecParams, random: RandomSource, shape?: readonly number[]): Uint8Array;
  /** Runs after the byte length was checked; refuses what a conforming encoder never writes. */
  validate(bytes: Uint8Array, elementCount: number, params: CodecParams): void;
  /** target[i] += weight · decoded[i] on validated bytes. */
  add(bytes: Uint8Array, elementCount: number, params: CodecParams, target: Float32Array, weight: number): void;
  /** Decodes validated bytes; the default adds into zeros. */
  decode?(bytes: Uint8Array, elementCount: number, params: CodecParams): Float32Array;
  /** Random access to the decoded values of validated bytes (dense codecs that can carry a sparse codec's values). */
  reader?(bytes: Uint8Array, elementCount: number, params: CodecParams): ValueReader;
}

export interface DefinedCodec extends StreamingCodec {
  readonly paramKeys: readonly string[];
  readonly reader?: CodecDefinition['reader'];
}

export function defineCodec(definition: CodecDefinition): DefinedCodec {
  const { id } = definition;
  const validateParams = (params: CodecParams): void => {
    refuseUnknownParams(id, params, definition.paramKeys);
    definition.checkParams?.(params);
  };
  const validateEncoded = (bytes: Uint8Array, elementCount: number, params: CodecParams): void => {
    validateParams(params);
    checkElementCount(id, elementCount);
    if (definition.byteLength !== undefined) {
      checkByteLength(id, bytes, elementCount, definition.byteLength(elementCount, params));
    } else if (definition.maxByteLength !== undefined && bytes.length > definition.maxByteLength(elementCount, params)) {
      const most = definition.maxByteLength(elementCount, params);
      throw new ShoalError('FRAME_MALFORMED', `${id} tensor bytes are ${bytes.length} long; ${elementCount} elements take at most ${most}`, {
        details: { byteLength: bytes.length, maxByteLength: most, elementCount },
      });
    }
    definition.validate(bytes, elementCount, params);
  };
  const codec: DefinedCodec = {
    id,
    lossless: definition.lossless,
    unbiased: definition.unbiased ?? definition.lossless,
    sparse: definition.sparse ?? false,
    paramKeys: definition.paramKeys,
    validateParams,
    encodedByteLength: (elementCount, params) => definition.byteLength?.(elementCount, params),
    ...(definition.maxByteLength === undefined ? {} : { maxEncodedByteLength: definition.maxByteLength }),
    encode(values: Float32Array, params: CodecParams, random: RandomSource = Math.random, shape?: readonly number[]): Uint8Array {
      validateParams(params);
      refuseNonFiniteInput(id, values);
      return definition.encode(values, params, random, shape);
    },
    validateEncoded,
    decodeInto(bytes, elementCount, params, target, weight): void {
      validateEncoded(bytes, elementCount, params);
      checkTarget(id, target, elementCount, weight);
      definition.add(bytes, elementCount, params, target, weight);
    },
    addValidated: definition.add,
    decode(bytes, elementCount, params): Float32Array {
      validateEncoded(bytes, elementCount, params);
      if (definition.decode !== undefined) return definition.decode(bytes, elementCount, params);
      const values = new Float32Array(elementCount);
      definition.add(bytes, elementCount, params, values, 1);
      return values;
    },
    ...(definition.reader === undefined ? {} : { reader: definition.reader }),
  };
  return Object.freeze(codec);
}
