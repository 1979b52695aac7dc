/**
 * Slows token guessing at POST /session without ever refusing a valid token. The token is checked first, so someone
 * sharing the administrator's address (a NAT, a proxy) cannot lock them out; only failures are slowed: past
 * `freeFailures` within `windowMs` of each other, every further failed reply from that address waits twice as long
 * as the one before (up to `maxDelayMs`), and at most `maxWaiting` of them wait at once.
 */
import { ShoalError } from '@shoal/protocol';
import { sleepOn, systemClock, type Clock } from '../time/clock.js';

export interface LoginBackoffOptions {
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  windowMs?: number;
  maxWaiting?: number;
  clock?: Clock;
}

interface AddressFailures {
  count: number;
  lastAt: number;
  waiting: number;
}

/** Addresses remembered at most; stale ones are dropped first when it is reached. */
const MAX_ADDRESSES = 10_000;

export class LoginBackoff {
  private readonly failures = new Map<string, AddressFailures>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly windowMs: number;
  private readonly maxWaiting: number;
  private readonly clock: Clock;

  constructor(options: LoginBackoffOptions = {}) {
    this.freeFailures = options.freeFailures ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxWaiting = options.maxWaiting ?? 100;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * A failed login from `address`: resolves with `error` unchanged while the address is within its free failures;
   * past them, waits out the address's delay and resolves with RATE_LIMITED (caused by `error`) naming the next delay.
   */
  async failed(address: string, error: ShoalError): Promise<ShoalError> {
    const entry = this.record(address);
    const excess = entry.count - this.freeFailures;
    if (excess <= 0) return error;
    const delayMs = this.delayFor(excess);
    const nextMs = this.delayFor(excess + 1);
    const limited = (message: string) => new ShoalError('RATE_LIMITED', message, { cause: error, details: { retryAfterMs: nextMs } });
    if (entry.waiting >= this.maxWaiting) return limited(`${error.message}; too many failed logins from ${address} are waiting already`);
    entry.waiting += 1;
    try {
      await sleepOn(this.clock, delayMs);
    } finally {
      entry.waiting -= 1;
    }
    return limited(`${error.message}; after ${entry.count} failed logins from ${address} each failure is answered more slowly (the next in ${Math.ceil(nextMs / 1000)} s)`);
  }

  /** How long the reply to the `excess`-th failure past the free ones waits. */
  private delayFor(excess: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(excess - 1, 30));
  }

  private record(address: string): AddressFailures {
    const now = this.clock.now();
    let entry = this.failures.get(address);
    if (entry !== undefined && now - entry.lastAt > this.windowMs && entry.waiting === 0) entry = undefined;
    if (entry === undefined) {
      if (this.failures.size >= MAX_ADDRESSES) this.dropStale(now);
      entry = { count: 0, lastAt: now, waiting: 0 };
      this.failures.set(address, entry);
    }
    entry.count += 1;
    entry.lastAt = now;
    return entry;
  }

  private dropStale(now: number): void {
    for (const [address, entry] of this.failures) {
      if (now - entry.lastAt > this.windowMs && entry.waiting === 0) this.failures.delete(address);
    }
    // Still full: forget the oldest entries rather than grow without bound.
    for (const address of this.failures.keys()) {
      if (this.failures.size < MAX_ADDRESSES) break;
      this.failures.delete(address);
    }
  }
}
