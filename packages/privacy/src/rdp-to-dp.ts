/**
 * Conversion from RDP to (ε, δ)-DP with the bound of Canonne, Kamath & Steinke 2020 / Asoodeh et al. 2020
 * (the one used by dp_accounting and Opacus): ε = r + log(1 − 1/α) − log(δ·α)/(α − 1), minimised over orders.
 */
export interface EpsilonAtDelta {
  epsilon: number;
  order: number;
}

export function epsilonFromRdp(orders: readonly number[], rdp: readonly number[], delta: number): EpsilonAtDelta {
  if (orders.length !== rdp.length || orders.length === 0) throw new RangeError('orders and rdp must be non-empty and of equal length');
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  let best: EpsilonAtDelta = { epsilon: Infinity, order: orders[0]! };
  orders.forEach((order, index) => {
    const r = rdp[index]!;
    if (!(r >= 0)) throw new RangeError(`RDP values must be >= 0, got ${r}`);
    let epsilon: number;
    if (delta * delta + Math.expm1(-r) > 0) epsilon = 0; // bounded through the KL divergence: δ ≥ sqrt(1 − e^−r)
    else if (order > 1.01) epsilon = r + Math.log1p(-1 / order) - Math.log(delta * order) / (order - 1);
    else epsilon = Infinity;
    if (epsilon < best.epsilon) best = { epsilon, order };
  });
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}
