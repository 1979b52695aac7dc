/** Shared by the codec and aggregation benchmarks: medians, the copy-bandwidth baseline, delta-like tensors, a table printer. */
import { createRng } from '@shoal/data';
import { elementCount, type NamedTensor, type TensorSpec } from '@shoal/protocol';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median milliseconds of `runs` calls of `work`, after one warm-up call. */
export function medianMs(runs: number, work: () => unknown): number {
  work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** The machine's own TypedArray copy bandwidth (Float32Array.prototype.set), in GB/s, for arrays of `elements` floats. */
export function copyBandwidthGBs(elements: number, runs = 31): number {
  const source = Float32Array.from({ length: elements }, (_, i) => i * 1e-3);
  const target = new Float32Array(elements);
  return (4 * elements) / medianMs(runs, () => target.set(source)) / 1e6;
}

/** Values shaped like a client update: Gaussian with a per-tensor spread, seeded. */
export function deltaLike(specs: readonly TensorSpec[], seed: number, spread = 1e-3): NamedTensor[] {
  const rng = createRng(seed);
  return specs.map((spec, t) => ({
    name: spec.name,
    shape: [...spec.shape],
    values: Float32Array.from({ length: elementCount(spec.shape) }, () => rng.normal() * spread * (1 + t / 4)),
  }));
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const align = header.map((_, column) => (column === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

export const fixed = (value: number, digits = 1): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
