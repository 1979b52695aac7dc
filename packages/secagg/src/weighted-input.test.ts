import { describe, expect, it } from 'vitest';
import { decodeWeightedSum, encodeWeightedInput, inputWeight } from './weighted-input.js';

describe('weighted inputs', () => {
  const spec = { ringBits: 32 as const, clipRange: 0.5, maxClients: 3 };

  it('weights by examples up to the cap, uniformly without one', () => {
    expect(inputWeight(30, 120)).toBe(0.25);
    expect(inputWeight(500, 120)).toBe(1);
    expect(inputWeight(30, undefined)).toBe(1);
  });

  it('sums to Σ f·clip(Δ) and Σ f, so the coordinator can divide', () => {
    const deltas = [Float32Array.of(0.1, -0.2, 0.9), Float32Array.of(0.3, 0.1, -0.05)];
    const weights = [0.25, 1];
    const sum = new Uint32Array(4);
    deltas.forEach((delta, k) => encodeWeightedInput(delta, weights[k]!, spec).forEach((v, i) => (sum[i] = (sum[i]! + v) >>> 0)));
    const { weightedSum, totalWeight } = decodeWeightedSum(sum, spec);
    expect(totalWeight).toBeCloseTo(1.25, 8);
    // The 0.9 is clipped to 0.5 before weighting.
    [0.25 * 0.1 + 0.3, 0.25 * -0.2 + 0.1, 0.25 * 0.5 - 0.05].forEach((expected, i) => expect(weightedSum[i]).toBeCloseTo(expected, 7));
    expect(() => encodeWeightedInput(deltas[0]!, 0, spec)).toThrow(/weight must be in \(0, 1\]/);
  });
});
