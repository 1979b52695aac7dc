/**
 * A blanket per-address budget: after `maxFailures` counted events from one address within the window, refuse for the
 * rest of it (join-token enrolment, anonymous registrations: `what`). Admin logins use login-backoff.ts instead, which
 * never refuses a valid token.
 */
import { ShoalError } from '@shoal/protocol';

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly what = 'failed logins',
  ) {}

  /** Throws RATE_LIMITED while the address is over its budget. */
  check(address: string): void {
    const recent = this.recent(address);
    if (recent.length >= this.maxFailures) {
      const retryAfterMs = recent[0]! + this.windowMs - this.now();
      throw new ShoalError('RATE_LIMITED', `too many ${this.what} from ${address}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { details: { retryAfterMs } });
    }
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.set(address, recent);
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const recent = (this.failures.get(address) ?? []).filter((at) => at > cutoff);
    if (recent.length === 0) this.failures.delete(address);
    return recent;
  }
}
