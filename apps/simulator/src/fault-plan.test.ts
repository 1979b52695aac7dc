import { describe, expect, it } from 'vitest';
import { FaultPlan } from './fault-plan.js';
import { DEFAULT_CONFIG, type FaultConfig } from './sim-config.js';

const FAULTS: FaultConfig = {
  ...DEFAULT_CONFIG.faults,
  dropout: 0.1,
  crashMidTraining: 0.1,
  crashMidUpload: 0.1,
  stragglers: { medianMs: 1000, sigma: 1 },
  malicious: { fraction: 0.25, attack: 'scale', scale: 5 },
};

function fates(plan: FaultPlan, rounds: number, clients: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let round = 1; round <= rounds; round++) {
    for (let client = 0; client < clients; client++) {
      const { fate } = plan.decide(round, client);
      counts[fate] = (counts[fate] ?? 0) + 1;
    }
  }
  return counts;
}

describe('FaultPlan', () => {
  it('decides the same fates for the same seed, and other fates for another', () => {
    const decisions = (seed: number) => Array.from({ length: 200 }, (_, client) => new FaultPlan(FAULTS, seed, 200, 3000).decide(4, client));

    expect(decisions(1)).toEqual(decisions(1));
    expect(decisions(1)).not.toEqual(decisions(2));
  });

  it('injects each fault at about its probability', () => {
    const counts = fates(new FaultPlan(FAULTS, 5, 1000, 3000), 10, 1000);
    const total = 10_000;

    expect(counts['dropout']! / total).toBeCloseTo(0.1, 1);
    // Each later fault applies to what the earlier ones left: 0.9 × 0.1, then 0.81 × 0.1.
    expect(counts['crash-mid-training']! / total).toBeCloseTo(0.09, 1);
    expect(counts['crash-mid-upload']! / total).toBeCloseTo(0.081, 1);
    // Lognormal median 1 s, sigma 1: P(latency > 3 s) = P(Z > ln 3) ≈ 0.136 of the remaining 0.729.
    expect(counts['late']! / total).toBeCloseTo(0.729 * 0.136, 1);
  });

  it('draws straggler latencies around the median', () => {
    const plan = new FaultPlan({ ...FAULTS, dropout: 0, crashMidTraining: 0, crashMidUpload: 0 }, 9, 2000, 1e9);
    const latencies = Array.from({ length: 2000 }, (_, client) => plan.decide(1, client).latencyMs).sort((a, b) => a - b);

    expect(latencies[1000]!).toBeGreaterThan(900);
    expect(latencies[1000]!).toBeLessThan(1100);
  });

  it('makes a fixed share of the clients attackers, and only they get an attack', () => {
    const plan = new FaultPlan(FAULTS, 3, 400, 3000);
    const attackers = Array.from({ length: 400 }, (_, client) => plan.attack(1, client)).filter((attack) => attack !== undefined);

    expect(plan.malicious.size).toBe(100);
    expect(attackers).toHaveLength(100);
    expect(attackers[0]).toMatchObject({ attack: 'scale', scale: 5 });
  });

  it('injects nothing by default', () => {
    expect(fates(new FaultPlan(DEFAULT_CONFIG.faults, 1, 100, 3000), 5, 100)).toEqual({ honest: 500 });
  });
});
