/**
 * Write-behind for clients' last-seen times: heartbeats of every connected client would otherwise cost one row update
 * each, so touches are kept in memory and written together, in one transaction, at most `intervalMs` later (and
 * whenever the owner flushes: before reads of the clients table and at close). Engine-neutral: `write` does the I/O.
 */

/** How long a touch may wait in memory: the most a crash can lose of a client's last-seen time. */
export const LAST_SEEN_WRITE_INTERVAL_MS = 5_000;

export class LastSeenBuffer {
  private pending = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly write: (seen: ReadonlyMap<string, number>) => void,
    private readonly intervalMs = LAST_SEEN_WRITE_INTERVAL_MS,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** The touch waiting for `id`, if any: reads of one client overlay it rather than write the batch early. */
  pendingAt(id: string): number | undefined {
    return this.pending.get(id);
  }

  /** The stored client as a reader must see it: with its touch that is not written yet. */
  overlay<T extends { id: string; lastSeenAt: number }>(client: T): T {
    const pending = this.pending.get(client.id);
    return pending === undefined ? client : { ...client, lastSeenAt: pending };
  }

  touch(id: string, at: number): void {
    this.pending.set(id, at);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushLater(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Drops a pending touch that a newer write of the same client supersedes. */
  forget(id: string): void {
    this.pending.delete(id);
  }

  /** Writes every pending touch now; on failure they stay pending (newer touches win). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      this.write(batch);
    } catch (error) {
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      throw error;
    }
  }

  /** Stops the timer without writing (the store is closing after its own flush, or failed). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushLater(): void {
    try {
      this.flush();
    } catch {
      // Kept pending: the next touch, read or close writes them again.
    }
  }
}
