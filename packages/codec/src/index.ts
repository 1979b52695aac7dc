/** @shoal/codec: tensor codecs and the binary frame v1 that carries a model's weights or a client's update. */
export type { Codec, CodecParams } from './codec.js';
export { CodecRegistry } from './codec-registry.js';
export { defaultCodecRegistry } from './default-codecs.js';
export { float32Codec } from './float32-codec.js';
export { int8Codec } from './int8-codec.js';
export { FRAME_VERSION } from './frame-format.js';
export type { FrameHeader, FrameKind, FrameTensorEntry } from './frame-format.js';
export { DEFAULT_FRAME_LIMITS } from './frame-limits.js';
export type { FrameLimits } from './frame-limits.js';
export { encodeFrame } from './encode-frame.js';
export type { CodecSelection } from './encode-frame.js';
export { readFrameHeader } from './read-frame-header.js';
export type { ReadFrameOptions } from './read-frame-header.js';
export { decodeFrame } from './decode-frame.js';
export type { DecodeFrameOptions, DecodedFrame } from './decode-frame.js';
export { accumulateFrame } from './accumulate-frame.js';
export type { FrameExpectations } from './frame-expectations.js';
