import { describe, expect, it } from 'vitest';
import { trimmedMean } from './trimmed-mean.js';
import { seeded } from './testing/envelopes.js';

const update = (...values: number[]) => ({ weight: 1, values: [Float32Array.from(values)] });

describe('trimmedMean', () => {
  it('cuts ⌊β·n⌋ values from each end per coordinate and averages the rest unweighted', () => {
    const updates = [update(1, 10), update(3, 20), { ...update(100, 30), weight: 50 }, update(4, 40), update(-50, 50)];

    const result = trimmedMean(updates, 0.2);

    // n = 5, cut 1: {−50, 1, 3, 4, 100} → (1 + 3 + 4)/3; {10, 20, 30, 40, 50} → (20 + 30 + 40)/3.
    expect(result[0]![0]).toBeCloseTo(8 / 3, 6);
    expect(result[0]![1]).toBe(30);
  });

  it('is the plain mean when β·n < 1', () => {
    const result = trimmedMean([update(1), update(2), update(6)], 0.3);
    expect(result[0]![0]).toBe(3);
  });

  it('matches a sort-based trimmed mean on many updates', () => {
    const random = seeded(5);
    const updates = Array.from({ length: 37 }, () => update(...Array.from({ length: 40 }, () => (random() < 0.3 ? 0 : random() - 0.5))));

    const result = trimmedMean(updates, 0.25);

    const cut = Math.floor(0.25 * 37);
    for (let j = 0; j < 40; j++) {
      const kept = updates.map((u) => u.values[0]![j]!).sort((a, b) => a - b).slice(cut, 37 - cut);
      expect(result[0]![j]).toBeCloseTo(kept.reduce((a, b) => a + b, 0) / kept.length, 6);
    }
  });

  it('refuses β outside [0, 0.5)', () => {
    expect(() => trimmedMean([update(1)], 0.5)).toThrow(/trimFraction/);
    expect(() => trimmedMean([update(1)], -0.1)).toThrow(/trimFraction/);
  });
});
