/**
 * How a round's updates combine into its aggregate update Δ̄. The mean weights by example count and streams; the robust
 * rules ignore example weights (one client, one vote, so a client cannot buy influence by claiming more examples) and
 * must hold every update.
 */
import { ShoalError } from '@shoal/protocol';
import { coordinateMedian } from './coordinate-median.js';
import { multiKrum } from './krum.js';
import { trimmedMean } from './trimmed-mean.js';
import type { WeightedUpdate } from './update-buffer.js';

export type AggregationRule =
  | { kind: 'mean' }
  | { kind: 'median' }
  | { kind: 'trimmed-mean'; trimFraction: number }
  /** byzantineClients: f; left out, each round takes min(⌊(n − 3)/2⌋, ⌊n/5⌋) of the n updates it got. */
  | { kind: 'krum'; byzantineClients?: number }
  /** keepClients: m; left out (or above n − f), n − f. */
  | { kind: 'multi-krum'; byzantineClients?: number; keepClients?: number };

export type RobustRule = Exclude<AggregationRule, { kind: 'mean' }>;

export function holdsEveryUpdate(rule: AggregationRule): rule is RobustRule {
  return rule.kind !== 'mean';
}

export function validateRule(rule: AggregationRule): void {
  if (rule.kind === 'trimmed-mean' && !(rule.trimFraction >= 0 && rule.trimFraction < 0.5)) throw new ShoalError('VALIDATION_FAILED', `trimFraction must be in [0, 0.5), got ${rule.trimFraction}`);
  if (rule.kind === 'krum' || rule.kind === 'multi-krum') {
    const f = rule.byzantineClients;
    if (f !== undefined && !(Number.isInteger(f) && f >= 0)) throw new ShoalError('VALIDATION_FAILED', `byzantineClients must be a non-negative integer, got ${f}`);
  }
  if (rule.kind === 'multi-krum' && rule.keepClients !== undefined && !(Number.isInteger(rule.keepClients) && rule.keepClients >= 1)) {
    throw new ShoalError('VALIDATION_FAILED', `keepClients must be an integer >= 1, got ${rule.keepClients}`);
  }
}

/** The job schema's default f for n updates: ⌊(n − 3)/2⌋ (the most Krum allows) capped at 20% of n. */
export function defaultByzantineClients(count: number): number {
  return Math.max(0, Math.min(Math.floor((count - 3) / 2), Math.floor(count / 5)));
}

/**
 * Δ̄ and which updates entered it, or undefined when the rule cannot decide with this many updates (Krum with
 * n < 2f + 3: the round keeps the current model).
 */
export function robustAggregate(rule: RobustRule, updates: readonly WeightedUpdate[]): { update: Float32Array[]; included: boolean[] } | undefined {
  const everyone = () => updates.map(() => true);
  switch (rule.kind) {
    case 'median':
      return { update: coordinateMedian(updates), included: everyone() };
    case 'trimmed-mean':
      // Every update can supply some coordinates' kept values, so none is left out as a whole.
      return { update: trimmedMean(updates, rule.trimFraction), included: everyone() };
    case 'krum':
    case 'multi-krum': {
      const count = updates.length;
      const f = rule.byzantineClients ?? defaultByzantineClients(count);
      if (count < 2 * f + 3) return undefined;
      const keep = rule.kind === 'krum' ? 1 : Math.min(rule.keepClients ?? count - f, count - f);
      const { update, selected } = multiKrum(updates, f, keep);
      const chosen = new Set(selected);
      return { update, included: updates.map((_, i) => chosen.has(i)) };
    }
  }
}
