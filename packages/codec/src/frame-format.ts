/** The fixed layout of binary frame v1 (protocols/v1/frame.md): prefix fields, kinds and the format's hard caps. */

/** ASCII 'SHOL'. */
export const FRAME_MAGIC: readonly number[] = Object.freeze([0x53, 0x48, 0x4f, 0x4c]);
export const FRAME_VERSION = 1;
/** magic(4) + version(1) + kind(1) + reserved(2) + header length(4). */
export const FRAME_PREFIX_BYTES = 12;
/** The format's cap on the header length field; FrameLimits.maxHeaderBytes can only lower it. */
export const MAX_HEADER_BYTES = 65_536;
export const MAX_TENSOR_NAME_LENGTH = 256;
export const MAX_TENSOR_RANK = 8;
/** Matches TensorSpec in protocols/v1/schemas/common.schema.json. */
export const MAX_DIMENSION = 67_108_864;

export type FrameKind = 'weights' | 'delta';

const KIND_CODES: Readonly<Record<FrameKind, number>> = Object.freeze({ weights: 1, delta: 2 });

export function frameKindCode(kind: FrameKind): number {
  return KIND_CODES[kind];
}

export function frameKindOf(code: number): FrameKind | undefined {
  if (code === KIND_CODES.weights) return 'weights';
  if (code === KIND_CODES.delta) return 'delta';
  return undefined;
}

export function isFrameKind(value: unknown): value is FrameKind {
  return value === 'weights' || value === 'delta';
}

export interface FrameTensorEntry {
  name: string;
  shape: number[];
  byteLength: number;
}

/** A frame's validated header; tensor i's bytes start at payloadOffset + the byteLengths of tensors before it. */
export interface FrameHeader {
  kind: FrameKind;
  codec: { id: string; params: Record<string, unknown> };
  tensors: FrameTensorEntry[];
  payloadOffset: number;
}
