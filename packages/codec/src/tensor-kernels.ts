/**
 * Arithmetic on decoded tensors with the SIMD kernels, for the coordinator's per-update work outside the codecs: adding
 * a decoded update into a running sum (strategies) and its squared L2 norm (the intake's bound). Arrays made by
 * createAccumulators are used in place; any other array is staged through a 64 KiB area 16 bytes at a time. Without
 * WebAssembly SIMD (or on a big-endian host) the same loops run in JavaScript, rounding identically.
 */
import { ShoalError } from '@shoal/protocol';
import { arenaOf, createAccumulators, stagePieces, validationArena, type SimdArena } from './accumulators.js';
import { LITTLE_ENDIAN } from './typed-chunks.js';

const bytesOf = (tensor: Float32Array) => new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength);

/** The number of leading elements the kernels can take (a multiple of 4), given an arena. */
const simdLength = (arena: SimdArena | undefined, length: number) => (arena === undefined || !LITTLE_ENDIAN ? 0 : length - (length % 4));

/** target[i] ← float32(target[i] + float32(weight · source[i])), as the codecs add. */
function addScaledTensor(target: Float32Array, source: Float32Array, weight: number): void {
  if (target.length !== source.length) throw new ShoalError('SHAPE_MISMATCH', `tensor has ${source.length} values, expected ${target.length}`);
  const arena = Math.fround(weight) === weight ? arenaOf(target) : undefined;
  const done = simdLength(arena, target.length);
  if (arena !== undefined && done > 0) {
    if (arenaOf(source) === arena && source.byteOffset % 16 === 0) arena.kernels.acc_f32(target.byteOffset, source.byteOffset, done, weight);
    else stagePieces(arena, bytesOf(source), 0, 4 * done, 16, (staged, first, length) => arena.kernels.acc_f32(target.byteOffset + first, staged, length / 4, weight));
  }
  for (let i = done; i < target.length; i++) target[i]! += Math.fround(weight * source[i]!);
}

/** sum[t] += weight · values[t] for each tensor (streaming aggregation's one hot loop). */
export function addScaledInto(sum: readonly Float32Array[], values: readonly Float32Array[], weight: number): void {
  if (sum.length !== values.length) throw new ShoalError('SHAPE_MISMATCH', `tensor count ${values.length} != ${sum.length}`);
  for (let t = 0; t < sum.length; t++) addScaledTensor(sum[t]!, values[t]!, weight);
}

/** Σ x² over every tensor, each square and the sum in float64 (no float32 overflow hides a huge update). */
export function sumOfSquares(tensors: readonly Float32Array[]): number {
  let total = 0;
  for (const tensor of tensors) {
    const own = arenaOf(tensor);
    const arena = own ?? validationArena();
    const done = simdLength(arena, tensor.length);
    if (arena !== undefined && done > 0) {
      if (own !== undefined && tensor.byteOffset % 16 === 0) total += arena.kernels.sumsq_f32(tensor.byteOffset, done);
      else stagePieces(arena, bytesOf(tensor), 0, 4 * done, 16, (staged, _first, length) => (total += arena.kernels.sumsq_f32(staged, length / 4)));
    }
    for (let i = done; i < tensor.length; i++) total += tensor[i]! * tensor[i]!;
  }
  return total;
}

/** The running-sum kernels a strategy's aggregation accepts (RoundContext.kernels in @shoal/strategy). */
export const SIMD_SUM_KERNELS = { allocate: createAccumulators, addScaled: addScaledInto } as const;
