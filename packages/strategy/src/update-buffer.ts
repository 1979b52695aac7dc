/**
 * Updates held whole by the rules that need them all at once (median, trimmed mean, Krum): the input type those pure
 * rules share, the copy taken from an envelope (whose arrays the coordinator reuses), and what one held update costs.
 */
import { ShoalError } from '@shoal/protocol';

/** One update as the robust rules see it; they ignore `weight` (every client counts once). */
export interface WeightedUpdate {
  weight: number;
  values: readonly Float32Array[];
}

/** Bytes a buffering strategy holds per update of `parameterCount` float32 values, for the coordinator's memory budget. */
export function bufferedBytesPerUpdate(parameterCount: number): number {
  if (!(Number.isInteger(parameterCount) && parameterCount >= 0)) throw new ShoalError('VALIDATION_FAILED', `parameterCount must be a non-negative integer, got ${parameterCount}`);
  return 4 * parameterCount;
}

/** A copy of the tensors in one allocation, keeping the tensor boundaries as views. */
export function copyUpdate(values: readonly Float32Array[]): Float32Array[] {
  const total = values.reduce((sum, tensor) => sum + tensor.length, 0);
  const buffer = new Float32Array(total);
  let offset = 0;
  return values.map((tensor) => {
    const view = buffer.subarray(offset, offset + tensor.length);
    view.set(tensor);
    offset += tensor.length;
    return view;
  });
}

/** Throws unless there is at least one update and all have the first one's tensor shapes. */
export function checkSameShapes(updates: readonly WeightedUpdate[], rule: string): readonly Float32Array[] {
  const first = updates[0];
  if (first === undefined) throw new ShoalError('VALIDATION_FAILED', `${rule} needs at least one update`);
  updates.forEach((update, k) => {
    if (update.values.length !== first.values.length) throw new ShoalError('SHAPE_MISMATCH', `${rule}: update ${k} has ${update.values.length} tensors, expected ${first.values.length}`);
    update.values.forEach((tensor, t) => {
      if (tensor.length !== first.values[t]!.length) throw new ShoalError('SHAPE_MISMATCH', `${rule}: update ${k} tensor ${t} has ${tensor.length} values, expected ${first.values[t]!.length}`);
    });
  });
  return first.values;
}
