/** Magnitude pruning of model weights: unstructured (smallest |w| to zero) and structured (whole units or filters). */
import { ShoalError, type NamedTensor } from '@shoal/protocol';

/** Kernels are pruned; biases and 1-D tensors (e.g. batch-norm parameters) are kept. */
export function isPrunable(tensor: NamedTensor): boolean {
  return tensor.shape.length >= 2;
}

/** Zeroes the smallest-magnitude fraction `sparsity` of all prunable weights, by one global threshold. */
export function pruneUnstructured(tensors: readonly NamedTensor[], sparsity: number): NamedTensor[] {
  if (!(sparsity >= 0 && sparsity < 1)) throw new ShoalError('VALIDATION_FAILED', `sparsity must be in [0, 1), got ${sparsity}`);
  const magnitudes: number[] = [];
  for (const tensor of tensors) if (isPrunable(tensor)) for (const value of tensor.values) magnitudes.push(Math.abs(value));
  if (magnitudes.length === 0 || sparsity === 0) return tensors.map((t) => ({ ...t, values: Float32Array.from(t.values) }));
  const sorted = Float64Array.from(magnitudes).sort();
  const cut = Math.floor(sparsity * sorted.length);
  const threshold = sorted[Math.max(0, cut - 1)]!;
  let budget = cut; // ties at the threshold: prune only as many as the target asks
  return tensors.map((tensor) => {
    const values = Float32Array.from(tensor.values);
    if (isPrunable(tensor)) {
      for (let i = 0; i < values.length && budget > 0; i++) {
        if (Math.abs(values[i]!) <= threshold) {
          values[i] = 0;
          budget -= 1;
        }
      }
    }
    return { ...tensor, values };
  });
}

/**
 * Structured pruning: for each prunable kernel, zeroes the output units (dense) or filters (conv) — the last axis —
 * with the smallest L2 norm, and the matching bias entries, so the pruned units can be removed from the architecture.
 */
export function pruneStructured(tensors: readonly NamedTensor[], fraction: number, options: { keepLast?: boolean } = {}): NamedTensor[] {
  if (!(fraction >= 0 && fraction < 1)) throw new ShoalError('VALIDATION_FAILED', `fraction must be in [0, 1), got ${fraction}`);
  const out = tensors.map((t) => ({ ...t, values: Float32Array.from(t.values) }));
  const kernels = out.map((t, i) => ({ t, i })).filter(({ t }) => isPrunable(t));
  // The output layer's units are the classes: never prune them unless asked.
  const candidates = options.keepLast === false ? kernels : kernels.slice(0, -1);
  for (const { t, i } of candidates) {
    const units = t.shape.at(-1)!;
    const perUnit = t.values.length / units;
    const norms = Array.from({ length: units }, (_, unit) => {
      let sum = 0;
      for (let k = 0; k < perUnit; k++) sum += t.values[k * units + unit]! ** 2;
      return { unit, norm: Math.sqrt(sum) };
    });
    const pruned = norms.sort((a, b) => a.norm - b.norm).slice(0, Math.floor(fraction * units)).map((entry) => entry.unit);
    for (const unit of pruned) for (let k = 0; k < perUnit; k++) t.values[k * units + unit] = 0;
    const bias = out[i + 1];
    if (bias !== undefined && bias.shape.length === 1 && bias.shape[0] === units) for (const unit of pruned) bias.values[unit] = 0;
  }
  return out;
}

export function sparsityOf(tensors: readonly NamedTensor[]): number {
  let zeros = 0;
  let total = 0;
  for (const tensor of tensors) {
    if (!isPrunable(tensor)) continue;
    total += tensor.values.length;
    for (const value of tensor.values) if (value === 0) zeros += 1;
  }
  return total === 0 ? 0 : zeros / total;
}
