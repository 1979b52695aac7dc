/** The shapes of the conformance files, as protocols/v1/conformance/README.md describes them (the fields the runner reads). */
import type { FrameKind, FrameLimits } from '@shoal/codec';
import type { TensorSpec } from '@shoal/protocol';
import type { FixedPointSpec, RingBits } from '@shoal/secagg';

export interface FrameVector {
  name: string;
  file: string;
  sha256: string;
  frameBytes: number;
  kind: FrameKind;
  headerLength: number;
  codec: { id: string; params: Record<string, unknown> };
  encoding: 'exact' | 'reference' | 'stochastic' | 'hand-built';
  signedZeros: boolean;
  specExample?: string;
  tensors: Array<{ name: string; shape: number[]; byteLength: number; byteOffset: number; input?: string; decoded: string }>;
}

export interface AccumulateVector {
  name: string;
  frame: string;
  weight: number;
  tensors: Array<{ name: string; initial: string; expected: string }>;
}

export interface BadFrameVector {
  name: string;
  file: string;
  sha256: string;
  check: number;
  code: string;
  expect?: { kind?: FrameKind; tensors?: TensorSpec[] };
  limits?: Partial<FrameLimits>;
}

export interface KeyVector {
  name: string;
  seed: string;
  publicKeyHex: string;
  publicKey: string;
}

export interface SignatureVector {
  name: string;
  index: string;
  statement: Statement;
  text: string;
  signer: string;
  publicKey?: string;
  signature?: string;
  message?: { schema: string; body: unknown };
  expected: { valid: true } | { valid: false; layer: 'verifier' | 'schema'; code: string };
}

export interface ShamirSplitVector {
  name: string;
  threshold: number;
  shareCount: number;
  secret: string;
  coefficients: string;
  shares: Array<{ x: number; bytes: string }>;
}

export interface ShamirCombineVector {
  name: string;
  shares: Array<{ x: number; bytes: string }>;
  expected: { secret: string } | { refused: 'tag-mismatch' | 'invalid-shares' };
}

export interface PairwiseVector {
  secretKeyU: string;
  publicKeyU: string;
  secretKeyV: string;
  publicKeyV: string;
  context: string;
  shared: string;
  seed: string;
}

export interface RingBytesVector {
  name: string;
  ringBits: RingBits;
  length: number;
  values?: number[];
  bytes: string;
  expected?: string;
}

export interface WeightedInputVector {
  name: string;
  spec: FixedPointSpec;
  levels: number;
  weightCap?: number;
  numExamples: number;
  weight: number;
  delta: number[];
  uniforms: number[];
  expected: number[];
}

export interface WeightedSumVector {
  name: string;
  spec: FixedPointSpec;
  inputs: string[];
  sum: number[];
  weightedSum: number[];
  totalWeight: number;
}

export type Statement =
  | { type: 'enrol'; joinTokenId: string; publicKey: string }
  | { type: 'hello'; clientId: string; publicKey: string; timestampMs: number }
  | { type: 'update'; jobId: string; round: number; clientId: string; taskId: string; frame: string; payloadSha256: string };
