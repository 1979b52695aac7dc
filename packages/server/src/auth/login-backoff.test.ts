/** The admin login backoff: free failures, exponential waits for further ones, and a valid token never held back. */
import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { VirtualClock } from '../time/virtual-clock.js';
import { LoginBackoff } from './login-backoff.js';

const wrong = () => new ShoalError('UNAUTHENTICATED', 'the token is not valid');

describe('LoginBackoff', () => {
  it('answers the free failures at once, then makes each further failure from that address wait twice as long', async () => {
    const clock = new VirtualClock();
    const backoff = new LoginBackoff({ freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 4_000, windowMs: 60_000, clock });
    for (let i = 0; i < 3; i++) expect((await backoff.failed('10.0.0.1', wrong())).code).toBe('UNAUTHENTICATED');

    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      const answer = backoff.failed('10.0.0.1', wrong());
      while (clock.advance()) await Promise.resolve();
      const error = await answer;
      expect(error.code).toBe('RATE_LIMITED');
      waits.push(clock.now() - start);
    }
    const other = await backoff.failed('10.0.0.2', wrong());

    expect(waits).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(other.code).toBe('UNAUTHENTICATED');
  });

  it('forgets an address once it has not failed for the window', async () => {
    const clock = new VirtualClock();
    const backoff = new LoginBackoff({ freeFailures: 1, windowMs: 60_000, clock });
    await backoff.failed('10.0.0.1', wrong());
    clock.after(60_001, () => undefined);
    clock.advance();

    expect((await backoff.failed('10.0.0.1', wrong())).code).toBe('UNAUTHENTICATED');
  });

  it('refuses at once, without waiting, past the failures that may wait at one time', async () => {
    const clock = new VirtualClock();
    const backoff = new LoginBackoff({ freeFailures: 0, maxWaiting: 2, clock });
    const waiting = [backoff.failed('10.0.0.1', wrong()), backoff.failed('10.0.0.1', wrong())];
    const refused = await backoff.failed('10.0.0.1', wrong());

    expect([refused.code, clock.pending]).toEqual(['RATE_LIMITED', 2]);
    while (clock.advance()) await Promise.resolve();
    expect((await Promise.all(waiting)).map((error) => error.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });
});
