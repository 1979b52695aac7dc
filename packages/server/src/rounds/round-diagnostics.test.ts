import { describe, expect, it } from 'vitest';
import { flagRound } from './round-diagnostics.js';

const update = (clientId: string, updateNorm: number, distanceToAggregate?: number) => ({ clientId, weight: 100, updateNorm, distanceToAggregate, clipped: false });

describe('flagRound', () => {
  it('flags an update whose norm or distance stands out, records every figure, and summarises the round', () => {
    const honest = Array.from({ length: 9 }, (_, i) => update(`h${i}`, 1 + i * 0.01, 0.5 + i * 0.01));
    const flagged = flagRound([...honest, update('scaled', 10, 9), update('sideways', 1.02, 5)], 3.5);

    expect(flagged.outlierIds).toEqual(['scaled', 'sideways']);
    expect(flagged.metrics).toEqual({ outliers: 2, updateNormMedian: 1.04 });
    expect(flagged.contributions.find((c) => c.clientId === 'scaled')!.patch).toEqual({ weight: 100, updateNorm: 10, distanceToAggregate: 9, outlier: true });
    expect(flagged.contributions.find((c) => c.clientId === 'h0')!.patch.outlier).toBe(false);
  });

  it('works without distances (a secure sum) and flags nothing in a uniform round', () => {
    const flagged = flagRound([update('a', 1), update('b', 1), update('c', 1)], 3.5);
    expect(flagged.outlierIds).toEqual([]);
    expect(flagged.contributions[0]!.patch).toEqual({ weight: 100, updateNorm: 1, outlier: false });
  });
});
