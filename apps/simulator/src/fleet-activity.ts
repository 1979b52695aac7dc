/**
 * Who in a simulated fleet is doing real work (training, transferring, reconnecting) and who only waits for
 * simulated time or for another client. When nobody works, the virtual clock jumps to its next timer: a straggler
 * wakes up, or a round reaches its deadline. However slowly the machine trains, no deadline passes while a client
 * that would have made it is still computing.
 */
import type { VirtualClock } from '@shoal/server';

export class FleetActivity {
  private readonly working = new Set<string>();
  private looking = false;
  private stopped = false;

  constructor(private readonly clock: VirtualClock) {
    clock.onTimerSet = () => this.look();
  }

  /** `clientId` has work to do (it was sent a task, or it woke up). */
  busy(clientId: string): void {
    this.working.add(clientId);
  }

  /** `clientId` waits only for simulated time, for the server, or for another client. */
  idle(clientId: string): void {
    if (this.working.delete(clientId) && this.working.size === 0) this.look();
  }

  /** Sleeps `ms` of simulated time: idle while asleep, busy again the moment the timer runs. */
  sleep(clientId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.clock.after(ms, () => {
        this.busy(clientId);
        resolve();
      });
      this.idle(clientId);
    });
  }

  /** Waits for `promise` while counting as idle (e.g. for another client's turn, or for the server). */
  async waitIdle<T>(clientId: string, promise: Promise<T>): Promise<T> {
    this.idle(clientId);
    try {
      return await promise;
    } finally {
      this.busy(clientId);
    }
  }

  get workingCount(): number {
    return this.working.size;
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Advances the clock once everything that the last change set off has run: continuations of woken clients
   * are microtasks, and setImmediate runs only after they have (and after any I/O already delivered).
   */
  private look(): void {
    if (this.looking || this.stopped) return;
    this.looking = true;
    setImmediate(() => {
      this.looking = false;
      if (!this.stopped && this.working.size === 0 && this.clock.advance()) this.look();
    });
  }
}
