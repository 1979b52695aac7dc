/** Composition: top-k sparsification, then stochastic quantisation (qsgd) of the kept values. */
import { qsgdCodec } from './qsgd-codec.js';
import { sparseCodec } from './sparse-codec.js';

export const topkQsgdCodec = sparseCodec({ id: 'topk+qsgd', selection: 'largest', values: qsgdCodec });
