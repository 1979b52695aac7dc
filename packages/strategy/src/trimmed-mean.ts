/**
 * Coordinate-wise trimmed mean (Yin et al. 2018; Flower's FedTrimmedAvg): per coordinate, drop the ⌊β·n⌋ smallest and
 * ⌊β·n⌋ largest values and take the unweighted mean of the rest.
 */
import { ShoalError } from '@shoal/protocol';
import { columnwise } from './columnwise.js';
import { selectInPlace } from './select.js';
import type { WeightedUpdate } from './update-buffer.js';

export function trimmedMean(updates: readonly WeightedUpdate[], trimFraction: number): Float32Array[] {
  if (!(trimFraction >= 0 && trimFraction < 0.5)) throw new ShoalError('VALIDATION_FAILED', `trimFraction must be in [0, 0.5), got ${trimFraction}`);
  const count = updates.length;
  const cut = Math.floor(trimFraction * count);
  const kept = count - 2 * cut;
  return columnwise(updates, 'trimmedMean', (column) => {
    if (cut > 0) {
      // Two selections move the cut smallest below index `cut` and the cut largest from `count − cut` on.
      selectInPlace(column, 0, count, cut);
      selectInPlace(column, cut, count, count - cut);
    }
    let sum = 0;
    for (let i = cut; i < count - cut; i++) sum += column[i]!;
    return sum / kept;
  });
}
