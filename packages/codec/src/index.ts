/** @shoal/codec: tensor codecs and the binary frame v1 that carries a model's weights or a client's update. */
export type { Codec } from './codec.js';
export { CodecRegistry } from './codec-registry.js';
export { DEFAULT_CODECS, defaultCodecRegistry } from './default-codecs.js';
export { float32Codec } from './float32-codec.js';
export { maxEncodedFrameBytes } from './frame-size.js';
export { createAccumulators } from './accumulators.js';
export { SIMD_SUM_KERNELS, sumOfSquares } from './tensor-kernels.js';
export type { FrameKind } from './frame-format.js';
export { DEFAULT_FRAME_LIMITS } from './frame-limits.js';
export type { FrameLimits } from './frame-limits.js';
export { encodeFrame } from './encode-frame.js';
export type { CodecSelection } from './encode-frame.js';
export { readFrameHeader } from './read-frame-header.js';
export { decodeFrame } from './decode-frame.js';
export { accumulateFrame, accumulateParsedFrame } from './accumulate-frame.js';
