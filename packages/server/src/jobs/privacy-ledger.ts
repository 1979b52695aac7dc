/** A DP job's privacy bookkeeping: the budget check before a round and ε (with what was released) after it. */
import type { PrivacySettings, RoundMetrics } from '@shoal/protocol';
import type { FitOutcome } from '@shoal/strategy';
import { epsilonAfter } from './privacy-config.js';

export class PrivacyLedger {
  /** `releasedRounds` counts the job's completed rounds; only they cost privacy. */
  constructor(
    private readonly settings: PrivacySettings | undefined,
    private readonly releasedRounds: () => number,
  ) {}

  /** Why the next round may not start, or undefined if it may (always, for a job without a budget). */
  overspendReason(): string | undefined {
    const budget = this.settings?.accountant.epsilonBudget;
    if (this.settings === undefined || budget === undefined) return undefined;
    const released = this.releasedRounds();
    const next = epsilonAfter(this.settings, released + 1);
    if (next <= budget) return undefined;
    return `privacy budget exhausted: round ${released + 1} would spend ε = ${next.toFixed(3)} > ε_max = ${budget} at δ = ${this.settings.accountant.delta} (spent so far: ε = ${epsilonAfter(this.settings, released).toFixed(3)})`;
  }

  /** Adds ε spent so far, and what the DP strategy released, to the round's metrics. */
  record(metrics: RoundMetrics, privacy: FitOutcome['privacy'], released: boolean): void {
    if (this.settings === undefined) return;
    metrics.epsilon = epsilonAfter(this.settings, this.releasedRounds() + (released ? 1 : 0));
    if (privacy !== undefined) {
      metrics.clipNorm = privacy.clipNorm;
      metrics.nextClipNorm = privacy.nextClipNorm;
      metrics.noiseStddev = privacy.noiseStddev;
      metrics.participants = privacy.participants;
    }
  }
}
