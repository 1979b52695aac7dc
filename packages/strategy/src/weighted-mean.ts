/** Pure arithmetic for weighted means of tensors and metrics; no I/O, callable directly from tests. */
import { ShoalError } from '@shoal/protocol';

/** sum[i] += weight * values[i] for each tensor; the building block of streaming aggregation. */
export function addScaled(sum: readonly Float32Array[], values: readonly Float32Array[], weight: number): void {
  if (sum.length !== values.length) throw new ShoalError('SHAPE_MISMATCH', `tensor count ${values.length} != ${sum.length}`);
  for (let t = 0; t < sum.length; t++) {
    const target = sum[t]!;
    const source = values[t]!;
    if (target.length !== source.length) throw new ShoalError('SHAPE_MISMATCH', `tensor ${t} has ${source.length} values, expected ${target.length}`);
    for (let i = 0; i < target.length; i++) target[i]! += weight * source[i]!;
  }
}

/** Multiplies every value by factor in place. */
export function scaleInPlace(tensors: readonly Float32Array[], factor: number): void {
  for (const tensor of tensors) for (let i = 0; i < tensor.length; i++) tensor[i]! *= factor;
}

export function zerosLike(tensors: readonly { length: number }[]): Float32Array[] {
  return tensors.map((tensor) => new Float32Array(tensor.length));
}

/** Σ w_i x_i / Σ w_i over tensors; the FedAvg mean. Throws when the weights sum to zero. */
export function weightedAverage(updates: readonly { weight: number; tensors: readonly Float32Array[] }[]): Float32Array[] {
  const first = updates[0];
  if (first === undefined) throw new ShoalError('VALIDATION_FAILED', 'weightedAverage needs at least one update');
  const sum = zerosLike(first.tensors);
  let totalWeight = 0;
  for (const update of updates) {
    if (!(update.weight >= 0) || !Number.isFinite(update.weight)) throw new ShoalError('VALIDATION_FAILED', `weight ${update.weight} is not a finite non-negative number`);
    addScaled(sum, update.tensors, update.weight);
    totalWeight += update.weight;
  }
  if (totalWeight === 0) throw new ShoalError('VALIDATION_FAILED', 'weights sum to zero');
  scaleInPlace(sum, 1 / totalWeight);
  return sum;
}

/** global + learningRate * delta, as new arrays. */
export function applyDelta(global: readonly Float32Array[], delta: readonly Float32Array[], learningRate = 1): Float32Array[] {
  const result = global.map((tensor) => Float32Array.from(tensor));
  addScaled(result, delta, learningRate);
  return result;
}

/** Weighted mean of a scalar metric; undefined when no entry has it. */
export function weightedMetric(entries: readonly { weight: number; value: number | undefined }[]): number | undefined {
  let total = 0;
  let weightSum = 0;
  for (const entry of entries) {
    if (entry.value === undefined || !Number.isFinite(entry.value)) continue;
    total += entry.weight * entry.value;
    weightSum += entry.weight;
  }
  return weightSum > 0 ? total / weightSum : undefined;
}
