import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('runs timers in time order, same-instant timers in the order they were set, and moves time only when advanced', () => {
    const clock = new VirtualClock(1000);
    const ran: string[] = [];
    clock.after(300, () => ran.push(`c@${clock.now()}`));
    clock.after(100, () => ran.push(`a@${clock.now()}`));
    clock.after(100, () => ran.push(`b@${clock.now()}`));
    clock.after(-5, () => ran.push(`now@${clock.now()}`));

    expect(clock.now()).toBe(1000);
    expect(clock.pending).toBe(4);
    while (clock.advance());

    expect(ran).toEqual(['now@1000', 'a@1100', 'b@1100', 'c@1300']);
    expect(clock.now()).toBe(1300);
    expect(clock.advance()).toBe(false);
  });

  it('never runs a cancelled timer, counts it out of pending, and ignores a cancel after the timer ran', () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    const cancelFirst = clock.after(10, () => ran.push(10));
    const cancelSecond = clock.after(20, () => ran.push(20));
    clock.after(30, () => ran.push(30));
    cancelFirst();
    cancelFirst();

    expect(clock.pending).toBe(2);
    expect(clock.advance()).toBe(true);
    cancelSecond();
    expect(clock.pending).toBe(1);
    expect(clock.advance()).toBe(true);
    expect(ran).toEqual([20, 30]);
    expect(clock.now()).toBe(30);
    expect(clock.pending).toBe(0);
  });

  it('keeps order across many timers set from callbacks (the heap)', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const delays = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const delay of delays) clock.after(delay, () => {
      seen.push(clock.now());
      if (delay % 2 === 0) clock.after(delay, () => seen.push(clock.now()));
    });
    while (clock.advance());

    expect(seen).toHaveLength(750);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('tells its listener when a timer is set', () => {
    const clock = new VirtualClock();
    let told = 0;
    clock.onTimerSet = () => told++;
    clock.after(5, () => undefined);
    expect(told).toBe(1);
  });
});
