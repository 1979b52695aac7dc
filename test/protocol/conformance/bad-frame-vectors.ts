/** Turns refused-frame cases into conformance files: each frame's .bin and per group an index of the expected codes. */
import { decodeFrame, encodeFrame, type FrameKind, type FrameLimits } from '@shoal/codec';
import { TINY_MODEL, createRandom } from '@shoal/codec/testing';
import type { ErrorCode, TensorSpec } from '@shoal/protocol';
import { seeded } from './frame-vectors.js';
import { sha256Hex, type VectorSet } from './vector-set.js';

export type FrameErrorCode = Extract<ErrorCode, 'FRAME_MALFORMED' | 'PAYLOAD_TOO_LARGE' | 'UNKNOWN_CODEC' | 'NON_FINITE_VALUES' | 'SHAPE_MISMATCH'>;

export interface BadCase {
  name: string;
  description: string;
  /** The frame.md §6 check that refuses the frame: the first one it fails. */
  check: number;
  code: FrameErrorCode;
  bytes: Uint8Array;
  /** What the receiver expects (checks 19 and 20). */
  expect?: { kind?: FrameKind; tensors?: TensorSpec[] };
  /** Policy limits that replace the defaults of frame.md §5. */
  limits?: Partial<FrameLimits>;
}

/** A valid delta frame of the tiny model (6, 3 and 1 elements) in any codec, the base most cases edit. */
export function tinyFrame(id: string, params: Record<string, unknown> = {}, kind: FrameKind = 'delta'): Uint8Array {
  return encodeFrame(kind, seeded(TINY_MODEL, 81), { id, params }, undefined, createRandom(82).next);
}

export const TINY_SPECS: TensorSpec[] = TINY_MODEL.map((spec) => ({ name: spec.name, shape: [...spec.shape] }));

/** The code the reference decoder answers, so the generator refuses to write a vector the code disagrees with. */
function referenceCode(badCase: BadCase): string | undefined {
  try {
    decodeFrame(badCase.bytes, { limits: badCase.limits, expectedKind: badCase.expect?.kind, expected: badCase.expect?.tensors });
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

export function writeBadFrameIndex(set: VectorSet, group: string, description: string, cases: readonly BadCase[]): string {
  const vectors = cases.map((badCase) => {
    const answered = referenceCode(badCase);
    if (answered !== badCase.code) throw new Error(`bad frame ${group}/${badCase.name}: expected ${badCase.code}, the reference decoder answers ${answered ?? 'nothing (it decodes)'}`);
    const file = `${group}/${badCase.name}.bin`;
    set.binary(`bad-frames/${file}`, badCase.bytes);
    return {
      name: `${group}/${badCase.name}`,
      description: badCase.description,
      file,
      sha256: sha256Hex(badCase.bytes),
      check: badCase.check,
      code: badCase.code,
      expect: badCase.expect,
      limits: badCase.limits,
    };
  });
  return set.json(`bad-frames/${group}.json`, { kind: 'bad-frame', description, vectors });
}
