/** Coordinate-wise median of updates (Yin et al. 2018; Flower's FedMedian): unweighted, the mean of the two middle values for even n. */
import { columnwise } from './columnwise.js';
import { selectInPlace } from './select.js';
import type { WeightedUpdate } from './update-buffer.js';

export function coordinateMedian(updates: readonly WeightedUpdate[]): Float32Array[] {
  const count = updates.length;
  const upper = count >> 1;
  return columnwise(updates, 'coordinateMedian', (column) => {
    selectInPlace(column, 0, count, upper);
    if (count % 2 === 1) return column[upper]!;
    // The selection left the lower middle value as the largest of column[0, upper).
    let lower = column[0]!;
    for (let i = 1; i < upper; i++) if (column[i]! > lower) lower = column[i]!;
    return (lower + column[upper]!) / 2;
  });
}
