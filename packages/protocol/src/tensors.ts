/** Domain types for model weights, shared by codecs, the ML runtime, the coordinator and clients. */

export type TensorDtype = 'float32';

/** The name and shape of one model tensor, in the model's weight order. */
export interface TensorSpec {
  name: string;
  shape: number[];
}

/** One tensor's values, flat in row-major order. */
export interface NamedTensor extends TensorSpec {
  values: Float32Array;
}

export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

export function totalElements(specs: readonly TensorSpec[]): number {
  let total = 0;
  for (const spec of specs) total += elementCount(spec.shape);
  return total;
}
