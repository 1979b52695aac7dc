/**
 * A fleet of real SDK clients for secure-aggregation tests: clients with different amounts of data, the inputs each one
 * masked (from its 'secagg:phase' events), clients that drop out at a chosen phase, and replacements for them.
 */
import { ShoalClient, type SecurePhaseEvent } from '@shoal/client';
import type { NamedTensor } from '@shoal/protocol';
import { shardExamples } from './sdk-fleet.js';

/** A tfjs Layers topology of one softmax layer on MNIST's 784 inputs (7,850 parameters): quick to train and to mask. */
export const TINY_TOPOLOGY = {
  class_name: 'Sequential',
  config: {
    name: 'tiny',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 784], dtype: 'float32', name: 'pixels' } },
      { class_name: 'Dense', config: { units: 10, activation: 'softmax', name: 'out' } },
    ],
  },
};

export type Phase = SecurePhaseEvent['phase'];

/** Which clients leave, and when: the first `count` clients to reach `phase` of `round` disconnect instead of acting. */
export interface DropoutPlan {
  round: number;
  phase: Phase;
  count: number;
}

export class SecureFleet {
  readonly clients = new Map<string, ShoalClient>();
  /** What each client masked, by job, round and client id (SecureFleet.key). */
  readonly inputs = new Map<string, NonNullable<SecurePhaseEvent['input']>>();
  private plans = new Map<number, DropoutPlan>();
  private readonly leavers = new Map<number, string[]>();
  private created = 0;

  constructor(
    private readonly url: string,
    /** Examples per client, in creation order (cycled). */
    private readonly sizes: readonly number[],
  ) {}

  static key(jobId: string, round: number, clientId: string): string {
    return `${jobId}/${round}/${clientId}`;
  }

  /** Starts clients until `count` are connected and registered. */
  async fill(count: number): Promise<void> {
    const started: Promise<unknown>[] = [];
    while (this.clients.size + started.length < count) {
      const index = this.created++;
      const client = new ShoalClient({
        coordinatorUrl: this.url,
        name: `secure-${index}`,
        train: shardExamples(index % 6, 6, this.sizes[index % this.sizes.length]!),
        seed: 7,
        reconnect: { initialDelayMs: 60_000 },
      });
      client.on('secagg:phase', (event) => this.onPhase(client, event));
      const registered = new Promise<void>((resolve) => client.once('registered', ({ clientId }) => (this.clients.set(clientId, client), resolve())));
      started.push(client.start().then(() => registered));
    }
    await Promise.all(started);
  }

  /** Dropouts by round number (of whichever job runs); an empty map stops them. */
  dropouts(plans: ReadonlyMap<number, DropoutPlan>): void {
    this.plans = new Map([...plans].map(([round, plan]) => [round, { ...plan }]));
  }

  /** Ids of the clients that left in a round. */
  leaversOf(round: number): string[] {
    return this.leavers.get(round) ?? [];
  }

  /** Stops one client (to make room for another kind of client). */
  async stopOne(): Promise<void> {
    const [clientId, client] = [...this.clients][0]!;
    this.clients.delete(clientId);
    await client.stop();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.stop()));
    this.clients.clear();
  }

  private onPhase(client: ShoalClient, event: SecurePhaseEvent): void {
    const clientId = client.clientId!;
    if (event.input !== undefined) this.inputs.set(SecureFleet.key(event.jobId, event.round, clientId), event.input);
    const plan = this.plans.get(event.round);
    if (plan === undefined || plan.phase !== event.phase || plan.count === 0) return;
    plan.count -= 1;
    this.leavers.set(event.round, [...this.leaversOf(event.round), clientId]);
    this.clients.delete(clientId);
    void client.stop();
  }
}

/** Σ f·Δ / Σ f over the given clients' inputs, in float64: the FedAvg the coordinator should have released. */
export function expectedMean(inputs: readonly NonNullable<SecurePhaseEvent['input']>[], clipRange: number): Float64Array {
  const mean = new Float64Array(inputs[0]!.delta.length);
  let totalWeight = 0;
  for (const { delta, weight } of inputs) {
    for (let i = 0; i < mean.length; i++) mean[i]! += weight * Math.max(-clipRange, Math.min(clipRange, delta[i]!));
    totalWeight += weight;
  }
  return mean.map((value) => value / totalWeight);
}

/** max |(after − before) − expected| over the flattened tensors. */
export function maxDeviation(before: readonly NamedTensor[], after: readonly NamedTensor[], expected: Float64Array): number {
  let offset = 0;
  let worst = 0;
  after.forEach((tensor, t) => {
    tensor.values.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - before[t]!.values[i]! - expected[offset + i]!))));
    offset += tensor.values.length;
  });
  return worst;
}

/** Σ of the ring inputs mod 2^ringBits. */
export function ringSum(vectors: readonly Uint32Array[], ringBits: 16 | 32): Uint32Array {
  const sum = new Uint32Array(vectors[0]!.length);
  const mask = ringBits === 32 ? 0xffffffff : 0xffff;
  for (const vector of vectors) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i]! + vector[i]!) & mask;
  return sum;
}

/** χ² of the top byte of each ring element against the uniform distribution (256 bins, 255 degrees of freedom). */
export function topByteChiSquare(values: Uint32Array, ringBits: 16 | 32): number {
  const bins = new Array<number>(256).fill(0);
  for (const value of values) bins[(value >>> (ringBits - 8)) & 0xff]! += 1;
  const expected = values.length / 256;
  return bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
}
