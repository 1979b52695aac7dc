/** IID partition: a seeded shuffle cut into near-equal contiguous pieces. */
import { ShoalError } from '@shoal/protocol';
import { assertClientCount, type Partition } from './partition.js';
import { createRng, permutation } from './rng.js';

/** Client sizes differ by at most one; the first count % numClients clients get the extra example. */
export function partitionIid(count: number, numClients: number, seed: number): Partition {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ShoalError('VALIDATION_FAILED', `count must be a non-negative integer, got ${String(count)}`, { details: { field: 'count' } });
  }
  assertClientCount(numClients, count);
  // A named fork keeps this stream independent of other uses of the same seed (e.g. weight initialisation).
  const order = permutation(createRng(seed).fork('partition-iid'), count);
  const base = Math.floor(count / numClients);
  const extra = count % numClients;
  const partition: Partition = [];
  let start = 0;
  for (let client = 0; client < numClients; client++) {
    const size = base + (client < extra ? 1 : 0);
    partition.push(order.slice(start, start + size));
    start += size;
  }
  return partition;
}
