/**
 * One-sided outlier flags by robust z-score (Iglewicz & Hoaglin 1993): z = 0.6745·(x − median)/MAD, flagged when
 * z > threshold (3.5 by default); only large values are suspicious for update norms and distances. When more than half
 * the values are equal (MAD = 0) the scale falls back to 1.2533·(mean absolute deviation), the usual substitute; the
 * scale is never below 1e-6·|median|, so float rounding among identical values (e.g. norms clipped to C) flags nothing.
 */
import { ShoalError } from '@shoal/protocol';

export const DEFAULT_OUTLIER_THRESHOLD = 3.5;

/** For finite values; returns one flag per value, in order. */
export function outlierFlags(values: readonly number[], threshold: number = DEFAULT_OUTLIER_THRESHOLD): boolean[] {
  if (!(threshold > 0)) throw new ShoalError('VALIDATION_FAILED', `threshold must be > 0, got ${threshold}`);
  if (values.length === 0) return [];
  const center = median(values);
  const deviations = values.map((value) => Math.abs(value - center));
  const mad = median(deviations);
  const spread = mad > 0 ? mad / 0.6745 : (1.2533 * deviations.reduce((sum, d) => sum + d, 0)) / values.length;
  const scale = Math.max(spread, 1e-6 * Math.abs(center));
  if (scale === 0) return values.map(() => false);
  return values.map((value) => (value - center) / scale > threshold);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
