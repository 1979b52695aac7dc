import { afterEach, describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { SyncBridge } from './sync-bridge.js';

type Request = { kind: 'echo'; value: unknown } | { kind: 'fail' } | { kind: 'hang' };

const FIXTURE = new URL('./sync-bridge-fixture-worker.ts', import.meta.url);

describe('SyncBridge', () => {
  let bridge: SyncBridge<Request, unknown> | undefined;
  afterEach(() => bridge?.close());

  it('answers each call synchronously, binary values included', () => {
    bridge = new SyncBridge(FIXTURE, { name: 'fixture', timeoutMs: 60_000 });

    const text = bridge.call({ kind: 'echo', value: 'first' });
    const bytes = bridge.call({ kind: 'echo', value: new Uint8Array([1, 2, 3]) });

    expect(text).toBe('first');
    expect(Array.from(bytes as Uint8Array)).toEqual([1, 2, 3]);
  });

  it("rethrows the worker's error as a ShoalError with its code", () => {
    bridge = new SyncBridge(FIXTURE, { name: 'fixture', timeoutMs: 60_000 });
    bridge.call({ kind: 'echo', value: 'warm' });

    const call = () => bridge!.call({ kind: 'fail' });

    expect(call).toThrowError(ShoalError);
    expect(call).toThrowError(/the fixture refuses/);
  });

  it('fails a call the worker never answers as INTERNAL, and the next call still gets its own answer', () => {
    bridge = new SyncBridge(FIXTURE, { name: 'fixture', timeoutMs: 60_000 });
    bridge.call({ kind: 'echo', value: 'warm' });
    const impatient = new SyncBridge<Request, unknown>(FIXTURE, { name: 'impatient fixture', timeoutMs: 300 });
    try {
      impatient.call({ kind: 'echo', value: 'warm' });
    } catch {
      // the first call may time out while the worker starts; the point is the hang below
    }

    let error: unknown;
    try {
      impatient.call({ kind: 'hang' });
    } catch (caught) {
      error = caught;
    }
    impatient.close();

    expect(error).toBeInstanceOf(ShoalError);
    expect((error as ShoalError).code).toBe('INTERNAL');
    expect((error as ShoalError).message).toMatch(/impatient fixture did not answer within 300 ms/);
    expect(bridge.call({ kind: 'echo', value: 'after' })).toBe('after');
  });

  it('refuses calls after close', () => {
    bridge = new SyncBridge(FIXTURE, { name: 'fixture', timeoutMs: 60_000 });
    bridge.close();

    expect(() => bridge!.call({ kind: 'echo', value: 1 })).toThrowError(/fixture is closed/);
  });
});
