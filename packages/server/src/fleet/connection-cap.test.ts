import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ShoalError } from '@shoal/protocol';
import { CoordinatorMetrics } from '../metrics.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { ConnectionCap, FALLBACK_MAX_CONNECTIONS, defaultMaxConnections, descriptorLimit, transportHeadroom } from './connection-cap.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const limits = (openFiles: string) => {
  const file = join(dir, `limits-${openFiles}`);
  writeFileSync(file, `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${openFiles}                 ${openFiles}                files\n`);
  return file;
};

describe('connection cap defaults', () => {
  it('reads the soft open-file limit, and keeps a reserve of max(512, 10 %) below it', () => {
    expect(descriptorLimit(limits('20000'))).toBe(20000);
    expect(defaultMaxConnections(20000)).toBe(18000);
    expect(defaultMaxConnections(1024)).toBe(512);
  });

  it('falls back to a fixed cap when the limit is unknown or unlimited', () => {
    expect(descriptorLimit(limits('unlimited'))).toBeUndefined();
    expect(descriptorLimit(join(dir, 'missing'))).toBeUndefined();
    expect(defaultMaxConnections(undefined)).toBe(FALLBACK_MAX_CONNECTIONS);
  });
});

describe('ConnectionCap', () => {
  it('refuses beyond the cap with CAPACITY_EXCEEDED, frees a released slot, and admits transports up to the headroom', () => {
    const cap = new ConnectionCap(2, { logger: pino({ level: 'silent' }), metrics: new CoordinatorMetrics({ collectDefaults: false }), clock: new VirtualClock(0) });
    cap.acquire('a');
    cap.acquire('b');
    expect(() => cap.acquire('c')).toThrow(expect.objectContaining({ code: 'CAPACITY_EXCEEDED' }) as ShoalError);
    cap.release('a');
    cap.release('a');
    cap.acquire('c');
    expect(cap.size).toBe(2);

    const answers: boolean[] = [];
    cap.allowTransport(2 + transportHeadroom(2) - 1, (_message, ok) => answers.push(ok));
    cap.allowTransport(2 + transportHeadroom(2), (_message, ok) => answers.push(ok));
    expect(answers).toEqual([true, false]);
  });

  it('refuses an invalid cap naming the option', () => {
    expect(() => new ConnectionCap(0, { logger: pino({ level: 'silent' }), metrics: new CoordinatorMetrics({ collectDefaults: false }), clock: new VirtualClock(0) })).toThrow(/maxConnections/);
  });
});
