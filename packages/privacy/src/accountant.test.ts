import { describe, expect, it } from 'vitest';
import { DEFAULT_ORDERS, rdpCurve, rdpSampledGaussian } from './rdp-sampled-gaussian.js';
import { epsilonFromRdp } from './rdp-to-dp.js';
import { RdpAccountant, combinedNoiseMultiplier, updateNoiseMultiplier } from './accountant.js';

const OPACUS_ORDERS = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, x) => 12 + x)];

/** Compares to `figures` significant figures. */
function expectSignificant(actual: number, expected: number, figures: number): void {
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(expected))) - figures + 1);
  expect(Math.round(actual / scale)).toBe(Math.round(expected / scale));
}

describe('RDP of the sampled Gaussian mechanism', () => {
  it('matches dp_accounting (google/differential-privacy, rdp_privacy_accountant_test.py, test_compute_rdp_poisson_sampled_gaussian)', () => {
    // q = 0.01, σ = 2.5, 50 steps; expected RDP at orders 1.5, 2.5, 5, 50, 100 (rtol 1e-4 in the reference test).
    const orders = [1.5, 2.5, 5, 50, 100];
    const expected = [6.70579741e-4, 1.0854871e-3, 2.18075656e-3, 2.38460375e-2, 1.67416308e2];
    const rdp = rdpCurve(0.01, 2.5, 50, orders);
    rdp.forEach((value, i) => expect(Math.abs(value - expected[i]!) / expected[i]!).toBeLessThan(1e-4));
  });

  it('is α/(2σ²) without sampling and 0 without participation', () => {
    expect(rdpSampledGaussian(1, 2.71828, 3.14159)).toBeCloseTo(3.14159 / (2 * 2.71828 ** 2), 12);
    expect(rdpSampledGaussian(0, 1, 8)).toBe(0);
    expect(rdpSampledGaussian(0.5, 0, 8)).toBe(Infinity);
  });
});

describe('RDP → (ε, δ)', () => {
  it('matches dp_accounting test_compute_epsilon_delta_pure_dp (ε = 1.32783806176 at order 32)', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const result = epsilonFromRdp(orders, orders.map(() => 1.1), 1e-5);
    expect(result.epsilon).toBeCloseTo(1.32783806176, 9);
    expect(result.order).toBe(32);
  });

  it('matches Opacus (pytorch/opacus, opacus/tests/accountants_test.py, test_rdp_accountant): σ = 1.5, q = 0.04, 2250 steps, δ = 1e-5 → ε = 7.32911117143', () => {
    const epsilon = new RdpAccountant(OPACUS_ORDERS).compose({ samplingRate: 0.04, noiseMultiplier: 1.5 }, 2250).epsilon(1e-5).epsilon;
    expectSignificant(epsilon, 7.32911117143, 2);
    expect(epsilon).toBeCloseTo(7.32911117143, 3);
  });
});

describe('RdpAccountant properties', () => {
  const mechanism = { samplingRate: 0.2, noiseMultiplier: 1 };

  it('ε grows with the number of rounds', () => {
    const epsilons = [1, 5, 20, 100].map((rounds) => RdpAccountant.epsilonAfter(mechanism, rounds, 1e-5));
    for (let i = 1; i < epsilons.length; i++) expect(epsilons[i]!).toBeGreaterThan(epsilons[i - 1]!);
  });

  it('ε grows with the sampling rate', () => {
    const epsilons = [0.01, 0.05, 0.2, 0.5, 1].map((q) => RdpAccountant.epsilonAfter({ samplingRate: q, noiseMultiplier: 1 }, 50, 1e-5));
    for (let i = 1; i < epsilons.length; i++) expect(epsilons[i]!).toBeGreaterThan(epsilons[i - 1]!);
  });

  it('ε goes to 0 as the noise grows', () => {
    const epsilons = [0.5, 1, 2, 8, 64, 1024].map((z) => RdpAccountant.epsilonAfter({ samplingRate: 0.2, noiseMultiplier: z }, 50, 1e-5));
    for (let i = 1; i < epsilons.length; i++) expect(epsilons[i]!).toBeLessThan(epsilons[i - 1]!);
    expect(epsilons.at(-1)!).toBeLessThan(0.01);
  });

  it('composes additively: k single rounds equal one compose of k', () => {
    const stepwise = new RdpAccountant();
    for (let i = 0; i < 7; i++) stepwise.compose(mechanism);
    expect(stepwise.epsilon(1e-5).epsilon).toBeCloseTo(RdpAccountant.epsilonAfter(mechanism, 7, 1e-5), 10);
  });

  it('splits the noise between updates and the clipped count so the combination is the target', () => {
    const updates = updateNoiseMultiplier(1, 5);
    expect(updates).toBeGreaterThan(1);
    expect(combinedNoiseMultiplier(updates, 5)).toBeCloseTo(1, 12);
    expect(() => updateNoiseMultiplier(1, 0.4)).toThrow(/clippedCountStddev/);
  });

  it('uses the published default orders', () => {
    expect(DEFAULT_ORDERS.slice(0, 3)).toEqual([1.1, 1.2, 1.3]);
    expect(DEFAULT_ORDERS).toContain(63);
  });
});
