/** Composition: random-k sparsification (scaled by n/k), then stochastic quantisation (qsgd) of the kept values; unbiased. */
import { qsgdCodec } from './qsgd-codec.js';
import { sparseCodec } from './sparse-codec.js';

export const randkQsgdCodec = sparseCodec({ id: 'randk+qsgd', selection: 'random', values: qsgdCodec });
