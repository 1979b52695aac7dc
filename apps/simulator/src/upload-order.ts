/**
 * Releases a round's on-time uploads in client-id order. FedAvg streams each update into a float32 running sum,
 * and float addition depends on order, so a fixed order is what makes a seeded run give bit-identical weights
 * however the workers happen to finish. Training still runs in parallel; only the uploads queue.
 */
interface RoundOrder {
  order: string[];
  next: number;
  done: Set<string>;
  waiters: Map<string, () => void>;
}

export class UploadOrder {
  private readonly rounds = new Map<number, RoundOrder>();

  /** Called when the round starts, with the clients that will upload before its deadline. */
  begin(round: number, uploaders: readonly string[]): void {
    for (const old of this.rounds.keys()) if (old < round - 1) this.rounds.delete(old);
    this.rounds.set(round, { order: [...uploaders].sort(), next: 0, done: new Set(), waiters: new Map() });
  }

  /** Resolves when every uploader before `clientId` has finished; at once for a client outside the order. */
  turn(round: number, clientId: string): Promise<void> {
    const state = this.rounds.get(round);
    if (state === undefined || !state.order.includes(clientId) || state.order[state.next] === clientId) return Promise.resolve();
    return new Promise((resolve) => state.waiters.set(clientId, resolve));
  }

  /** The client uploaded (or gave up); the next in order may go. */
  done(round: number, clientId: string): void {
    const state = this.rounds.get(round);
    if (state === undefined) return;
    state.done.add(clientId);
    while (state.next < state.order.length && state.done.has(state.order[state.next]!)) state.next++;
    const next = state.order[state.next];
    const wake = next === undefined ? undefined : state.waiters.get(next);
    if (wake !== undefined) {
      state.waiters.delete(next!);
      wake();
    }
  }
}
