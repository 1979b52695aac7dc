/** Runs a per-coordinate rule over updates: for every value index, the n clients' values as one reusable column. */
import { checkSameShapes, type WeightedUpdate } from './update-buffer.js';

/**
 * result[t][j] = reduce(column of updates[·].values[t][j]); `reduce` may reorder the column (a selection) and must
 * not keep it: the same Float64Array is reused for every coordinate.
 */
export function columnwise(updates: readonly WeightedUpdate[], rule: string, reduce: (column: Float64Array) => number): Float32Array[] {
  const shapes = checkSameShapes(updates, rule);
  const count = updates.length;
  const column = new Float64Array(count);
  return shapes.map((shape, t) => {
    const sources = updates.map((update) => update.values[t]!);
    const result = new Float32Array(shape.length);
    for (let j = 0; j < shape.length; j++) {
      for (let i = 0; i < count; i++) column[i] = sources[i]![j]!;
      result[j] = reduce(column);
    }
    return result;
  });
}
