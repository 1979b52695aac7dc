/** AnonymousAdmission's fast path: certain() promises only what admit() would do, and admitted() counts like admit(). */
import { describe, expect, it } from 'vitest';
import type { ClientRetentionPort } from '../store/store.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { AnonymousAdmission } from './anonymous-admission.js';

function setup(settings: { perAddressPerMinute: number; maxUnenrolledClients: number }) {
  const clock = new VirtualClock(1_000_000);
  const calls = { counts: 0, prunes: 0 };
  let rows = 0;
  const retention: ClientRetentionPort = {
    unenrolledCount: () => {
      calls.counts += 1;
      return rows;
    },
    prune: () => {
      calls.prunes += 1;
      return 0;
    },
  };
  const admission = new AnonymousAdmission(retention, clock, () => false, { ...settings, unenrolledTtlMs: 60 * 60_000 });
  return { clock, calls, admission, setRows: (n: number) => (rows = n) };
}

describe('AnonymousAdmission.certain', () => {
  it('is not certain before the store was counted, then is until the address reaches its budget', () => {
    const { admission, calls } = setup({ perAddressPerMinute: 3, maxUnenrolledClients: 100 });
    expect(admission.certain('10.0.0.1')).toBe(false);
    admission.admit('10.0.0.1');
    expect(calls.counts).toBeGreaterThan(0);
    expect(admission.certain('10.0.0.1')).toBe(true);
    admission.admitted('10.0.0.1');
    expect(admission.certain('10.0.0.1')).toBe(true);
    admission.admitted('10.0.0.1');
    // Three counted in this minute: admit() would refuse, so certain() must not promise it.
    expect(admission.certain('10.0.0.1')).toBe(false);
    expect(() => admission.admit('10.0.0.1')).toThrow(/too many new anonymous clients/);
    expect(admission.certain('10.0.0.2')).toBe(true);
  });

  it('is not certain when the bound of unenrolled rows is reached, nor when a sweep is due', () => {
    const { admission, calls } = setup({ perAddressPerMinute: Number.POSITIVE_INFINITY, maxUnenrolledClients: 3 });
    admission.admit('10.0.0.1');
    const prunes = calls.prunes;
    admission.admitted('10.0.0.1');
    expect(admission.certain('10.0.0.1')).toBe(true);
    admission.admitted('10.0.0.1');
    expect(admission.certain('10.0.0.1')).toBe(false);
    expect(calls.prunes).toBe(prunes);
    // A minute on, admit() would sweep the store first: only it may.
    const { admission: fresh, clock: freshClock } = setup({ perAddressPerMinute: Number.POSITIVE_INFINITY, maxUnenrolledClients: 100 });
    fresh.admit('10.0.0.1');
    expect(fresh.certain('10.0.0.1')).toBe(true);
    freshClock.after(60_000, () => undefined);
    freshClock.advance();
    expect(fresh.certain('10.0.0.1')).toBe(false);
  });
});
