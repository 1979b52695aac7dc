/** Quantity skew: client sizes in proportion to Dirichlet(alpha) draws, contents IID (a seeded shuffle cut at those sizes). */
import { ShoalError } from '@shoal/protocol';
import { largestRemainder, sampleDirichlet } from './dirichlet.js';
import { assertClientCount, type Partition } from './partition.js';
import { assertPositiveNumber } from './partition-dirichlet.js';
import { createRng, permutation } from './rng.js';

export interface QuantitySkewOptions {
  /** Concentration, > 0: small values give a few large clients and many tiny ones; large values near-equal sizes. */
  alpha: number;
  seed: number;
}

/** Every client gets at least one example; the rest is shared out by the drawn proportions. */
export function partitionQuantitySkew(count: number, numClients: number, options: QuantitySkewOptions): Partition {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ShoalError('VALIDATION_FAILED', `count must be a non-negative integer, got ${String(count)}`, { details: { field: 'count' } });
  }
  assertPositiveNumber(options.alpha, 'alpha');
  assertClientCount(numClients, count);
  const rng = createRng(options.seed).fork('partition-quantity-skew');
  const extra = largestRemainder(count - numClients, sampleDirichlet(rng.fork('sizes'), options.alpha, numClients));
  const order = permutation(rng.fork('order'), count);
  const partition: Partition = [];
  let start = 0;
  for (const more of extra) {
    const size = 1 + more;
    partition.push(order.slice(start, start + size).sort());
    start += size;
  }
  return partition;
}
