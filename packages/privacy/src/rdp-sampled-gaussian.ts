/**
 * Rényi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar & Zhang 2019, "Rényi Differential Privacy
 * of the Sampled Gaussian Mechanism"), in the add-or-remove-one neighbouring relation. Pure functions.
 */
import { logAdd, logErfc } from './log-math.js';

/** log A_α for integer α: a finite binomial sum (Mironov et al. 2019, Section 3.3). */
function logAInteger(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let logBinomial = 0; // log C(α, 0)
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinomial += Math.log(alpha - i + 1) - Math.log(i);
    const term = logBinomial + i * Math.log(q) + (alpha - i) * Math.log1p(-q) + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, term);
  }
  return logA;
}

/**
 * log A_α for fractional α: the two-sided series of Mironov et al. 2019, Section 3.3. Like the current dp_accounting
 * implementation, every term is added with its absolute binomial coefficient, which bounds A_α from above (a
 * conservative choice that also avoids cancellation), and the sum stops once both tails are decreasing and below e^-30.
 */
function logAFractional(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let lastS0 = -Infinity;
  let lastS1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let logAbsBinomial = 0; // log |C(α, i)|
  for (let i = 0; i < MAX_FRACTIONAL_TERMS; i++) {
    if (i > 0) logAbsBinomial += Math.log(Math.abs((alpha - i + 1) / i));
    const j = alpha - i;
    const logT0 = logAbsBinomial + i * Math.log(q) + j * Math.log1p(-q);
    const logT1 = logAbsBinomial + j * Math.log(q) + i * Math.log1p(-q);
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    logA0 = logAdd(logA0, logS0);
    logA1 = logAdd(logA1, logS1);
    if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < -30) break;
    lastS0 = logS0;
    lastS1 = logS1;
  }
  return logAdd(logA0, logA1);
}

const MAX_FRACTIONAL_TERMS = 1000;

/**
 * RDP ε(α) of one step of the Gaussian mechanism with noise multiplier `noiseMultiplier` (noise std / L2 sensitivity)
 * applied to a Poisson sample with rate `samplingRate`.
 */
export function rdpSampledGaussian(samplingRate: number, noiseMultiplier: number, order: number): number {
  if (!(samplingRate >= 0 && samplingRate <= 1)) throw new RangeError(`sampling rate must be in [0, 1], got ${samplingRate}`);
  if (!(noiseMultiplier >= 0)) throw new RangeError(`noise multiplier must be >= 0, got ${noiseMultiplier}`);
  if (!(order > 1)) throw new RangeError(`RDP order must be > 1, got ${order}`);
  if (samplingRate === 0) return 0;
  if (noiseMultiplier === 0) return Infinity;
  if (order === Infinity) return Infinity;
  if (samplingRate === 1) return order / (2 * noiseMultiplier * noiseMultiplier);
  const logA = Number.isInteger(order) ? logAInteger(samplingRate, noiseMultiplier, order) : logAFractional(samplingRate, noiseMultiplier, order);
  return logA / (order - 1);
}

/** Opacus' default orders plus a few large ones, so that ε can fall towards 0 when the noise is large. */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10),
  ...Array.from({ length: 52 }, (_, x) => 12 + x),
  128,
  256,
  512,
  1024,
]);

/** RDP at each order after `steps` compositions of the same sampled Gaussian step. */
export function rdpCurve(samplingRate: number, noiseMultiplier: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  return orders.map((order) => steps * rdpSampledGaussian(samplingRate, noiseMultiplier, order));
}
