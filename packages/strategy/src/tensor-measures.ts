/** Distances, shape and finiteness checks over tensor lists, accumulated in float64 so long sums of float32 values stay exact enough. */
import { ShoalError } from '@shoal/protocol';

/** ‖a − b‖₂² over all tensors; throws when the shapes differ. */
export function squaredDistance(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) throw new ShoalError('SHAPE_MISMATCH', `tensor count ${a.length} != ${b.length}`);
  let sum = 0;
  for (let t = 0; t < a.length; t++) {
    const left = a[t]!;
    const right = b[t]!;
    if (left.length !== right.length) throw new ShoalError('SHAPE_MISMATCH', `tensor ${t} has ${left.length} values, expected ${right.length}`);
    for (let i = 0; i < left.length; i++) {
      const difference = left[i]! - right[i]!;
      sum += difference * difference;
    }
  }
  return sum;
}

export function l2Distance(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  return Math.sqrt(squaredDistance(a, b));
}

/** True when no value is NaN or ±∞: a strategy must never release such weights. */
export function allFinite(tensors: readonly Float32Array[]): boolean {
  for (const tensor of tensors) {
    for (let i = 0; i < tensor.length; i++) if (!Number.isFinite(tensor[i]!)) return false;
  }
  return true;
}

/** Throws SHAPE_MISMATCH unless each of `others` (undefined ones skipped) has the model's tensor shapes. */
export function checkShapes(model: readonly { length: number }[], ...others: (readonly Float32Array[] | undefined)[]): void {
  for (const other of others) {
    if (other === undefined) continue;
    if (other.length !== model.length) throw new ShoalError('SHAPE_MISMATCH', `tensor count ${other.length} != the model's ${model.length}`);
    other.forEach((tensor, t) => {
      if (tensor.length !== model[t]!.length) throw new ShoalError('SHAPE_MISMATCH', `tensor ${t} has ${tensor.length} values, the model's has ${model[t]!.length}`);
    });
  }
}
