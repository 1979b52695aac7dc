/** Counts of each class among selected examples, for describing how skewed a client's data is. */
import { ShoalError } from '@shoal/protocol';
import { assertIndices } from './examples.js';

export function labelHistogram(labels: Uint8Array, indices: ArrayLike<number>, numClasses: number): number[] {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
    throw new ShoalError('VALIDATION_FAILED', `numClasses must be an integer in [1, 256], got ${String(numClasses)}`, { details: { field: 'numClasses' } });
  }
  assertIndices(indices, labels.length);
  const histogram = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < indices.length; i++) {
    const label = labels[indices[i]!]!;
    if (label >= numClasses) {
      throw new ShoalError('VALIDATION_FAILED', `labels[${indices[i]}] = ${label} is not below numClasses = ${numClasses}`, { details: { field: 'labels' } });
    }
    histogram[label]!++;
  }
  return histogram;
}
