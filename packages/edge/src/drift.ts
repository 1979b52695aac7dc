/** Drift between a reference distribution recorded at promotion and what a client or cohort sees now. */

export const PSI_EPSILON = 1e-4;
/** Common reading of PSI: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 significant shift. */
export const DEFAULT_PSI_THRESHOLD = 0.25;

/** Population stability index Σ (a_i − e_i) ln(a_i / e_i) over bins, with empty bins floored at ε. */
export function populationStabilityIndex(expectedCounts: readonly number[], actualCounts: readonly number[]): number {
  if (expectedCounts.length !== actualCounts.length || expectedCounts.length === 0) throw new RangeError('histograms must be non-empty and of equal length');
  const expectedTotal = expectedCounts.reduce((a, b) => a + b, 0);
  const actualTotal = actualCounts.reduce((a, b) => a + b, 0);
  if (expectedTotal <= 0 || actualTotal <= 0) throw new RangeError('histograms must have positive totals');
  let psi = 0;
  for (let i = 0; i < expectedCounts.length; i++) {
    const e = Math.max(expectedCounts[i]! / expectedTotal, PSI_EPSILON);
    const a = Math.max(actualCounts[i]! / actualTotal, PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Fixed-edge histogram of values in [min, max]; values outside fall in the end bins. */
export function histogram(values: ArrayLike<number>, bins: number, min: number, max: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((values[i]! - min) / width)));
    counts[bin]! += 1;
  }
  return counts;
}
