/** A partition of a data set among clients, and the argument checks all partitioners share. */
import { ShoalError } from '@shoal/protocol';

/** One array of example indices per client. */
export type Partition = Int32Array[];

export function assertClientCount(numClients: number, count: number): void {
  if (!Number.isSafeInteger(numClients) || numClients < 1) {
    throw new ShoalError('VALIDATION_FAILED', `numClients must be a positive integer, got ${String(numClients)}`, { details: { field: 'numClients' } });
  }
  // An empty client cannot train, so this is a configuration mistake rather than an edge case to allow.
  if (numClients > count) {
    throw new ShoalError('VALIDATION_FAILED', `Cannot give each of ${numClients} clients at least one of ${count} examples`, {
      details: { field: 'numClients' },
    });
  }
}
