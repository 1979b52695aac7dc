/**
 * Who may register without enrolment: anyone may say hello to a coordinator that does not require enrolment, so
 * new anonymous registrations are rate-limited per address, and the rows they leave are bounded and expire
 * (store/client-retention.ts). Returning clients and enrolled devices are not counted.
 */
import { ShoalError } from '@shoal/protocol';
import { LoginThrottle } from '../auth/login-throttle.js';
import type { Clock } from '../time/clock.js';
import type { ClientRetentionPort } from '../store/store.js';

export interface AnonymousAdmissionSettings {
  /** New anonymous registrations one address may make per minute. */
  perAddressPerMinute: number;
  /** The most unenrolled clients the store keeps; beyond it the least recently seen offline ones are dropped. */
  maxUnenrolledClients: number;
  /** Unenrolled clients unseen for this long are dropped. */
  unenrolledTtlMs: number;
}

export const DEFAULT_ANONYMOUS_ADMISSION: AnonymousAdmissionSettings = {
  perAddressPerMinute: 120,
  maxUnenrolledClients: 100_000,
  unenrolledTtlMs: 30 * 24 * 60 * 60 * 1000,
};

/** Expired rows are swept at most this often (and whenever the bound is reached). */
const SWEEP_EVERY_MS = 60_000;

export class AnonymousAdmission {
  private readonly throttle: LoginThrottle;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** Unenrolled rows, counted once from the store and then kept up to date (a count per hello would scan the table). */
  private unenrolled: number | undefined;

  constructor(
    private readonly retention: ClientRetentionPort,
    private readonly clock: Clock,
    private readonly isOnline: (clientId: string) => boolean,
    private readonly settings: AnonymousAdmissionSettings = DEFAULT_ANONYMOUS_ADMISSION,
  ) {
    this.throttle = new LoginThrottle(settings.perAddressPerMinute, 60_000, () => clock.now(), 'new anonymous clients');
  }

  /**
   * Whether admit(address) would pass now without reading or pruning the store: then a hello may write its client row
   * first and call admitted() if the row was new, so a returning client costs one statement (fleet-session.ts).
   */
  certain(address: string): boolean {
    if (this.unenrolled === undefined || this.unenrolled >= this.settings.maxUnenrolledClients) return false;
    if (this.clock.now() - this.lastSweep >= SWEEP_EVERY_MS) return false;
    if (!Number.isFinite(this.settings.perAddressPerMinute)) return true;
    try {
      this.throttle.check(address);
      return true;
    } catch {
      return false;
    }
  }

  /** Counts a new registration that certain(address) allowed. */
  admitted(address: string): void {
    if (Number.isFinite(this.settings.perAddressPerMinute)) this.throttle.fail(address);
    this.unenrolled = (this.unenrolled ?? 0) + 1;
  }

  /** Throws RATE_LIMITED when `address` registered too many new anonymous clients, or when no room can be made. */
  admit(address: string): void {
    // A virtual fleet (the simulator) registers thousands of clients from one address on purpose.
    const limited = Number.isFinite(this.settings.perAddressPerMinute);
    if (limited) this.throttle.check(address);
    const now = this.clock.now();
    this.unenrolled ??= this.retention.unenrolledCount();
    const full = this.unenrolled >= this.settings.maxUnenrolledClients;
    if (full || now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      this.retention.prune({ before: now - this.settings.unenrolledTtlMs, keepAtMost: this.settings.maxUnenrolledClients - 1, isOnline: this.isOnline });
      this.unenrolled = this.retention.unenrolledCount();
      if (this.unenrolled >= this.settings.maxUnenrolledClients) {
        throw new ShoalError('RATE_LIMITED', `this coordinator holds its maximum of ${this.settings.maxUnenrolledClients} unenrolled clients, all online; enrol the device or retry later`);
      }
    }
    this.admitted(address);
  }
}
