/** The coordinator's requests to one secure-aggregation session, buffered until the client asks for them. */
import { ShoalError, type MessageOf } from '@shoal/protocol';

export interface SecureRequests {
  'secagg:roster': MessageOf<'secagg-roster'>;
  'secagg:masked-input-request': MessageOf<'secagg-masked-input-request'>;
  'secagg:unmask-request': MessageOf<'secagg-unmask-request'>;
}

/** The round went on without this client (cancelled, disconnected): not an error to report. */
export class SessionEnded extends Error {}

export class SecureInbox {
  private readonly received = new Map<keyof SecureRequests, unknown>();
  private waiting: { event: keyof SecureRequests; resolve: (message: unknown) => void } | undefined;
  private endedWith: Error | undefined;
  private readonly ended: Promise<never>;
  private rejectEnded: (error: Error) => void = () => undefined;
  private readonly timer: NodeJS.Timeout;

  /** After `giveUpAt` (ms since the epoch) every wait fails: the coordinator stopped answering. */
  constructor(giveUpAt: number) {
    this.ended = new Promise<never>((_, reject) => (this.rejectEnded = reject));
    // Waits race against `ended`; nothing else needs to observe its rejection.
    this.ended.catch(() => undefined);
    this.timer = setTimeout(() => this.end(new ShoalError('LATE_UPDATE', 'the coordinator did not continue the secure-aggregation round in time')), Math.max(0, giveUpAt - Date.now()));
    this.timer.unref();
  }

  put<E extends keyof SecureRequests>(event: E, message: SecureRequests[E]): void {
    if (this.endedWith !== undefined) return;
    if (this.waiting?.event === event) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(message);
    } else this.received.set(event, message);
  }

  async next<E extends keyof SecureRequests>(event: E): Promise<SecureRequests[E]> {
    this.throwIfEnded();
    const buffered = this.received.get(event);
    if (buffered !== undefined) {
      this.received.delete(event);
      return buffered as SecureRequests[E];
    }
    return this.race(new Promise<SecureRequests[E]>((resolve) => (this.waiting = { event, resolve: resolve as (message: unknown) => void })));
  }

  /** Resolves with `work`, unless the session ends first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.ended]);
  }

  end(error: Error): void {
    if (this.endedWith !== undefined) return;
    this.endedWith = error;
    clearTimeout(this.timer);
    this.rejectEnded(error);
  }

  throwIfEnded(): void {
    if (this.endedWith !== undefined) throw this.endedWith;
  }
}
