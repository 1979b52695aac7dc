import { describe, expect, it } from 'vitest';
import { RetrySchedule, connectFailure } from './connection-retry.js';

describe('RetrySchedule', () => {
  it('doubles from the first delay up to the cap, and starts over after a success', () => {
    const schedule = new RetrySchedule({ initialDelayMs: 500, maxDelayMs: 3000, jitter: 0 });

    const delays = Array.from({ length: 5 }, () => schedule.next().delayMs);
    schedule.reset();

    expect(delays).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(schedule.next()).toEqual({ attempt: 1, delayMs: 500 });
  });

  it('spreads each delay by at most the jitter fraction, never past the cap', () => {
    const low = new RetrySchedule({ initialDelayMs: 1000, maxDelayMs: 1500, jitter: 0.5 }, () => 0);
    const high = new RetrySchedule({ initialDelayMs: 1000, maxDelayMs: 1500, jitter: 0.5 }, () => 1);

    expect([low.next().delayMs, high.next().delayMs]).toEqual([500, 1500]);
  });
});

describe('connectFailure', () => {
  it('finds the websocket error under an engine.io transport error', () => {
    const refused = Object.assign(new Error('websocket error'), { description: { error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), message: 'connect ECONNREFUSED 127.0.0.1:9' } });
    const untrusted = Object.assign(new Error('websocket error'), { description: { error: Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }) } });

    expect(connectFailure(refused)).toEqual({ error: 'connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED', tls: false });
    expect(connectFailure(untrusted)).toEqual({ error: 'self-signed certificate in certificate chain', code: 'SELF_SIGNED_CERT_IN_CHAIN', tls: true });
    expect(connectFailure(new Error('timeout'))).toEqual({ error: 'timeout', code: undefined, tls: false });
  });
});
