/** Gamma and Dirichlet draws from a seeded Rng, and the largest-remainder rounding that turns proportions into counts. */
import type { Rng } from './rng.js';

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shapes below 1 use Gamma(a) = Gamma(a + 1) · U^(1/a). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Proportions p_1..p_k ~ Dirichlet(alpha, …, alpha); they sum to 1. */
export function sampleDirichlet(rng: Rng, alpha: number, k: number): number[] {
  const draws = Array.from({ length: k }, () => sampleGamma(rng, alpha));
  const total = draws.reduce((sum, draw) => sum + draw, 0);
  // Very small alphas can underflow every draw to 0; the limit of Dirichlet(α → 0) puts all mass on one part.
  if (!(total > 0)) return draws.map((_, i) => (i === rng.nextInt(k) ? 1 : 0));
  return draws.map((draw) => draw / total);
}

/** Integer counts summing to `total`, proportional to `proportions`; leftovers go to the largest fractional parts (ties: lower index). */
export function largestRemainder(total: number, proportions: readonly number[]): number[] {
  const exact = proportions.map((p) => p * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((sum, count) => sum + count, 0);
  const order = exact.map((value, i) => ({ i, fraction: value - Math.floor(value) })).sort((a, b) => b.fraction - a.fraction || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]!.i]!++;
  return counts;
}
