/** Numerically stable arithmetic in log space, for RDP terms that span hundreds of orders of magnitude. */

/** log(e^x + e^y) */
export function logAdd(x: number, y: number): number {
  const low = Math.min(x, y);
  const high = Math.max(x, y);
  if (low === -Infinity) return high;
  return Math.log1p(Math.exp(low - high)) + high;
}

/** erf(x) by its Maclaurin series; accurate to ~1e-15 for |x| < 3. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const contribution = term / (2 * n + 1);
    sum += contribution;
    if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** log(erfc(x)) for x ≥ 2 from the continued fraction erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function logErfcContinuedFraction(x: number): number {
  // Modified Lentz evaluation of K = x + a1/(x + a2/(x + …)), a_k = k/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -x * x - 0.5 * Math.log(Math.PI) - Math.log(f);
}

/** log(erfc(x)), accurate to ~1e-14 relative, including the far tail where erfc itself underflows. */
export function logErfc(x: number): number {
  if (x >= 2) return logErfcContinuedFraction(x);
  if (x > -3) return Math.log1p(-erfSeries(x));
  return Math.log(2 - Math.exp(logErfcContinuedFraction(-x)));
}
