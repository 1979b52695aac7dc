/** Random-k sparsification: ⌈fraction · n⌉ uniformly random entries scaled by n/k (unbiased), values in float32. */
import { float32Codec } from './float32-codec.js';
import { sparseCodec } from './sparse-codec.js';

export const randkCodec = sparseCodec({ id: 'randk', selection: 'random', values: float32Codec });
