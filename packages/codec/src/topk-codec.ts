/** Top-k sparsification: the ⌈fraction · n⌉ largest-magnitude entries of each tensor, values in float32. */
import { float32Codec } from './float32-codec.js';
import { sparseCodec } from './sparse-codec.js';

export const topkCodec = sparseCodec({ id: 'topk', selection: 'largest', values: float32Codec });
