/** An RDP accountant for DP-FedAvg rounds: each round is one Poisson-sampled Gaussian step; ε at δ after any number of rounds. */
import { ShoalError } from '@shoal/protocol';
import { DEFAULT_ORDERS, rdpSampledGaussian } from './rdp-sampled-gaussian.js';
import { epsilonFromRdp, type EpsilonAtDelta } from './rdp-to-dp.js';

export interface RoundMechanism {
  /** Poisson sampling rate q of a user in a round. */
  samplingRate: number;
  /** Noise standard deviation of the released sum divided by its L2 sensitivity (for adaptive clipping: the combined multiplier). */
  noiseMultiplier: number;
}

export class RdpAccountant {
  private readonly rdp: number[];

  constructor(private readonly orders: readonly number[] = DEFAULT_ORDERS) {
    this.rdp = orders.map(() => 0);
  }

  /** Adds `count` rounds of the mechanism. */
  compose(mechanism: RoundMechanism, count = 1): this {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    this.orders.forEach((order, i) => {
      this.rdp[i]! += count * rdpSampledGaussian(mechanism.samplingRate, mechanism.noiseMultiplier, order);
    });
    return this;
  }

  epsilon(delta: number): EpsilonAtDelta {
    return epsilonFromRdp(this.orders, this.rdp, delta);
  }

  /** ε after `rounds` rounds of the same mechanism, without mutating anything. */
  static epsilonAfter(mechanism: RoundMechanism, rounds: number, delta: number, orders: readonly number[] = DEFAULT_ORDERS): number {
    return new RdpAccountant(orders).compose(mechanism, rounds).epsilon(delta).epsilon;
  }
}

/**
 * Adaptive clipping (Andrew et al. 2021, "Differentially Private Learning with Adaptive Clipping") releases two
 * Gaussian sums per round: the clipped updates (multiplier z_Δ) and the count of unclipped updates (sensitivity 1/2,
 * noise σ_b, so multiplier 2σ_b). Together they are one Gaussian mechanism with z = (z_Δ⁻² + (2σ_b)⁻²)^−1/2.
 * Given the target combined z, this returns the z_Δ to use for the updates.
 */
export function updateNoiseMultiplier(combinedNoiseMultiplier: number, clippedCountStddev: number): number {
  if (combinedNoiseMultiplier === 0) return 0;
  const countMultiplier = 2 * clippedCountStddev;
  if (!(countMultiplier > combinedNoiseMultiplier)) {
    throw new ShoalError(
      'VALIDATION_FAILED',
      `clippedCountStddev (${clippedCountStddev}) must exceed noiseMultiplier/2 (${combinedNoiseMultiplier / 2}) for the combined noise to reach noiseMultiplier`,
    );
  }
  return (combinedNoiseMultiplier ** -2 - countMultiplier ** -2) ** -0.5;
}

export function combinedNoiseMultiplier(updateMultiplier: number, clippedCountStddev: number): number {
  return (updateMultiplier ** -2 + (2 * clippedCountStddev) ** -2) ** -0.5;
}
