/**
 * At most one `round:progress` per job and interval reaches the console: a round of 5,000 uploads would otherwise be
 * 5,000 broadcasts (each one a Redis publish in a cluster, read by every node). The first progress of a quiet job goes
 * out at once; later ones within the interval are held, the newest replacing the older, and sent when it ends. A held
 * progress is sent before the job's next round event, so the console never sees a round's progress after its end.
 */
import type { Clock } from '../time/clock.js';

interface Held<P> {
  payload: P | undefined;
  cancel: () => void;
}

export class ProgressThrottle<P> {
  private readonly jobs = new Map<string, Held<P>>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly send: (payload: P) => void,
  ) {}

  progress(jobId: string, payload: P): void {
    const held = this.jobs.get(jobId);
    if (held !== undefined) {
      held.payload = payload;
      return;
    }
    this.send(payload);
    this.jobs.set(jobId, { payload: undefined, cancel: this.clock.after(this.intervalMs, () => this.release(jobId)) });
  }

  /** Sends what is held for the job now (before another of its events). */
  flush(jobId: string): void {
    const held = this.jobs.get(jobId);
    if (held === undefined) return;
    held.cancel();
    this.jobs.delete(jobId);
    if (held.payload !== undefined) this.send(held.payload);
  }

  stop(): void {
    for (const held of this.jobs.values()) held.cancel();
    this.jobs.clear();
  }

  private release(jobId: string): void {
    const held = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    // Something held opens a new interval, so a steady stream goes out once per interval.
    if (held?.payload !== undefined) this.progress(jobId, held.payload);
  }
}
