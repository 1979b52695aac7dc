/**
 * The time rounds run on. The coordinator uses the system clock; a simulator passes a virtual clock that it
 * advances itself, so deadlines and stragglers depend on the seed and not on how fast the machine computes.
 */

export interface Clock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  /** Calls `callback` once `ms` have passed on this clock; the returned function cancels it (a no-op once it ran). */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms` on `clock`; rejects with the signal's reason when it aborts first. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = clock.after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
