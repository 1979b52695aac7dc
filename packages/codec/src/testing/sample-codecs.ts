/** Test support: one or more valid codec selections per default codec, for seed frames, round trips and benchmarks. */
import type { CodecSelection } from '../encode-frame.js';

export interface SampleCodec {
  label: string;
  selection: Required<CodecSelection>;
}

const sample = (id: string, params: Record<string, unknown> = {}, label = id): SampleCodec => ({ label, selection: { id, params } });

/** Every default codec at least once; qsgd at every bit width, per tensor and per block. */
export const SAMPLE_CODECS: readonly SampleCodec[] = Object.freeze([
  sample('float32'),
  sample('int8'),
  sample('float16'),
  sample('qsgd', { bits: 8 }, 'qsgd 8-bit per tensor'),
  sample('qsgd', { bits: 8, blockSize: 256 }, 'qsgd 8-bit block 256'),
  sample('qsgd', { bits: 4, blockSize: 256 }, 'qsgd 4-bit block 256'),
  sample('qsgd', { bits: 2, blockSize: 256 }, 'qsgd 2-bit block 256'),
  sample('qsgd', { bits: 1, blockSize: 256 }, 'qsgd 1-bit block 256'),
  sample('topk', { fraction: 0.01 }, 'topk 1%'),
  sample('randk', { fraction: 0.01 }, 'randk 1%'),
  sample('topk+qsgd', { fraction: 0.01, bits: 8, blockSize: 256 }, 'topk 1% + qsgd 8-bit'),
  sample('randk+qsgd', { fraction: 0.01, bits: 8, blockSize: 256 }, 'randk 1% + qsgd 8-bit'),
  sample('int8-channel', {}, 'int8 per channel'),
]);

/** Selections sized for tiny tensors, so fuzzed seeds keep several entries per sparse tensor. */
export const SMALL_TENSOR_CODECS: readonly SampleCodec[] = Object.freeze([
  sample('float32'),
  sample('int8'),
  sample('float16'),
  sample('qsgd', { bits: 4, blockSize: 2 }, 'qsgd'),
  sample('topk', { fraction: 0.5 }),
  sample('randk', { fraction: 0.5 }),
  sample('topk+qsgd', { fraction: 0.5, bits: 2 }),
  sample('randk+qsgd', { fraction: 0.7, bits: 8, blockSize: 2 }),
  sample('int8-channel'),
]);
