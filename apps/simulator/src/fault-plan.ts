/**
 * Seeded fault injection: what each selected client does in each round (drop out, crash, straggle) and which
 * clients attack. Every decision depends only on the seed, the round and the client, never on timing.
 */
import { createRng, type Rng } from '@shoal/data';
import type { FaultConfig } from './sim-config.js';
import type { AttackPlan } from './worker-messages.js';

export type ClientFate = 'honest' | 'dropout' | 'crash-mid-training' | 'crash-mid-upload' | 'late';

export interface ClientRoundPlan {
  fate: ClientFate;
  /** Simulated extra latency of this client's round (stragglers); 0 without a straggler model. */
  latencyMs: number;
}

export class FaultPlan {
  /** Indices of the clients that attack in every round they are selected. */
  readonly malicious: ReadonlySet<number>;
  private readonly root: Rng;

  constructor(
    private readonly config: FaultConfig,
    seed: number,
    clients: number,
    private readonly roundDeadlineMs: number,
  ) {
    this.root = createRng(seed).fork('faults');
    const attackers = Math.round((config.malicious?.fraction ?? 0) * clients);
    this.malicious = new Set(this.root.fork('malicious').shuffle(Array.from({ length: clients }, (_, i) => i)).slice(0, attackers));
  }

  /** The fate of client `index` in `round`; a client that is late uploads after the round has closed. */
  decide(round: number, index: number): ClientRoundPlan {
    const rng = this.root.fork(`round-${round}`).fork(index);
    const { dropout, crashMidTraining, crashMidUpload, stragglers } = this.config;
    // Every draw is made whatever the earlier ones gave, so changing one probability does not reshuffle the others.
    const draws = { dropout: rng.next(), training: rng.next(), upload: rng.next(), latency: rng.normal() };
    const latencyMs = stragglers === undefined ? 0 : stragglers.medianMs * Math.exp(stragglers.sigma * draws.latency);
    if (draws.dropout < dropout) return { fate: 'dropout', latencyMs: 0 };
    if (draws.training < crashMidTraining) return { fate: 'crash-mid-training', latencyMs };
    if (draws.upload < crashMidUpload) return { fate: 'crash-mid-upload', latencyMs };
    // At exactly the deadline the round's own timer, set first, runs first: such a client is late too.
    return { fate: latencyMs >= this.roundDeadlineMs ? 'late' : 'honest', latencyMs };
  }

  attack(round: number, index: number): AttackPlan | undefined {
    const malicious = this.config.malicious;
    if (malicious === undefined || !this.malicious.has(index)) return undefined;
    return { attack: malicious.attack, scale: malicious.scale, seed: this.root.fork(`attack-${round}`).nextInt(2 ** 31) + index };
  }
}
