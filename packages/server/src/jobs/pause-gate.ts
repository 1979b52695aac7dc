/** Lets a job runner be paused between rounds: `wait` returns at once unless paused, then when resumed or aborted. */
import { deferred, type Deferred } from '../time/deferred.js';

export class PauseGate {
  private closed: Deferred<void> | undefined;

  get paused(): boolean {
    return this.closed !== undefined;
  }

  pause(): void {
    this.closed ??= deferred<void>();
  }

  resume(): void {
    this.closed?.resolve();
    this.closed = undefined;
  }

  /** Resolves when not paused; rejects with the signal's reason if it aborts first. */
  async wait(signal: AbortSignal): Promise<void> {
    const closed = this.closed;
    if (closed === undefined) return;
    signal.throwIfAborted();
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([closed.promise, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
