/** @shoal/codec/testing: fuzzing and bad-frame fixtures for tests and benchmarks (not part of the runtime API). */
export { DECODERS, FRAME_ERROR_CODES, runDecoders } from './decoder-properties.js';
export type { DecoderName, DecoderRun, Outcome } from './decoder-properties.js';
export { fuzzInput, seedFrames } from './fuzz-inputs.js';
export { createRandom } from './random.js';
export type { Random } from './random.js';
export { badFrames } from './bad-frames.js';
export { MNIST_2NN, MNIST_CNN, TINY_MODEL, tensorsFor } from './sample-model.js';
export { SAMPLE_CODECS, SMALL_TENSOR_CODECS } from './sample-codecs.js';
export type { SampleCodec } from './sample-codecs.js';
export { rawFrame } from './raw-frame.js';
export type { RawFrameParts } from './raw-frame.js';
