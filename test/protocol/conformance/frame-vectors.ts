/** Turns frame cases into conformance files: each frame's .bin, and per codec an index of its header fields and decoded values. */
import { decodeFrame, encodeFrame, type CodecSelection, type FrameKind } from '@shoal/codec';
import { createRandom } from '@shoal/codec/testing';
import type { NamedTensor } from '@shoal/protocol';
import { float32Hex, sha256Hex, type VectorSet } from './vector-set.js';

/** How far another encoder must agree with the bytes (protocols/v1/conformance/README.md, "encoding"). */
export type Encoding = 'exact' | 'reference' | 'stochastic' | 'hand-built';

interface CaseBase {
  name: string;
  description: string;
  /** Whether +0 and -0 differ when comparing decoded values: frame.md fixes the sign of zero for this frame. */
  signedZeros: boolean;
  /** The frame.md §7 example whose bytes this frame is, if any. */
  specExample?: string;
}

export interface EncodedCase extends CaseBase {
  kind: FrameKind;
  codec: Required<CodecSelection>;
  tensors: NamedTensor[];
  encoding: Exclude<Encoding, 'hand-built'>;
  /** Seeds the encoder's uniform draws (stochastic codecs). */
  seed?: number;
}

export interface HandBuiltCase extends CaseBase {
  bytes: Uint8Array;
}

export type FrameCase = EncodedCase | HandBuiltCase;

export function tensor(name: string, shape: number[], values: number[]): NamedTensor {
  return { name, shape, values: Float32Array.from(values) };
}

/** Uniform float32 values in (-magnitude, magnitude) from the seeded generator of @shoal/codec/testing. */
export function seeded(specs: ReadonlyArray<{ name: string; shape: readonly number[] }>, seed: number, magnitude = 1): NamedTensor[] {
  const random = createRandom(seed);
  return specs.map((spec) => {
    const count = spec.shape.reduce((product, dimension) => product * dimension, 1);
    return { name: spec.name, shape: [...spec.shape], values: Float32Array.from({ length: count }, () => (random.next() * 2 - 1) * magnitude) };
  });
}

function encodeCase(frameCase: FrameCase): Uint8Array {
  if ('bytes' in frameCase) return frameCase.bytes;
  const random = createRandom(frameCase.seed ?? 1);
  return encodeFrame(frameCase.kind, frameCase.tensors, frameCase.codec, undefined, random.next);
}

/** Writes `<directory>/<case>.bin` for every case and `<directory>.json`, its index; returns the index path. */
export function writeFrameIndex(set: VectorSet, directory: string, description: string, cases: readonly FrameCase[]): string {
  const vectors = cases.map((frameCase) => {
    const bytes = encodeCase(frameCase);
    const file = `${directory}/${frameCase.name}.bin`;
    set.binary(`frames/${file}`, bytes);
    const { header, tensors } = decodeFrame(bytes);
    const inputs = 'tensors' in frameCase ? frameCase.tensors : undefined;
    let byteOffset = header.payloadOffset;
    return {
      name: `${directory}/${frameCase.name}`,
      description: frameCase.description,
      file,
      sha256: sha256Hex(bytes),
      frameBytes: bytes.length,
      kind: header.kind,
      headerLength: header.payloadOffset - 12,
      codec: header.codec,
      encoding: 'bytes' in frameCase ? 'hand-built' : frameCase.encoding,
      signedZeros: frameCase.signedZeros,
      specExample: frameCase.specExample,
      tensors: header.tensors.map((entry, index) => {
        const row = {
          name: entry.name,
          shape: entry.shape,
          byteLength: entry.byteLength,
          byteOffset,
          input: inputs === undefined ? undefined : float32Hex(inputs[index]!.values),
          decoded: float32Hex(tensors[index]!.values),
        };
        byteOffset += entry.byteLength;
        return row;
      }),
    };
  });
  return set.json(`frames/${directory}.json`, { kind: 'frame', description, vectors });
}
