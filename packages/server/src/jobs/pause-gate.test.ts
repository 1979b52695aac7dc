import { describe, expect, it } from 'vitest';
import { PauseGate } from './pause-gate.js';

describe('PauseGate', () => {
  it('lets a runner through unless paused, and releases it on resume', async () => {
    const gate = new PauseGate();
    const signal = new AbortController().signal;
    await gate.wait(signal);
    gate.pause();
    let passed = false;
    const waiting = gate.wait(signal).then(() => (passed = true));
    await new Promise((r) => setImmediate(r));
    expect([gate.paused, passed]).toEqual([true, false]);
    gate.resume();
    await waiting;
    expect([gate.paused, passed]).toEqual([false, true]);
  });

  it('gives up with the abort reason when the job stops while paused', async () => {
    const gate = new PauseGate();
    const controller = new AbortController();
    gate.pause();
    const waiting = gate.wait(controller.signal);
    controller.abort('stopped');
    await expect(waiting).rejects.toBe('stopped');
    await expect(gate.wait(controller.signal)).rejects.toBe('stopped');
  });
});
