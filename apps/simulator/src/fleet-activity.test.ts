import { setTimeout as realSleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FleetActivity } from './fleet-activity.js';
import { VirtualClock } from '@shoal/server';

describe('FleetActivity', () => {
  it('holds a deadline until the slow client has finished, however long its real work takes', async () => {
    const clock = new VirtualClock(0);
    const activity = new FleetActivity(clock);
    const order: string[] = [];
    activity.busy('slow');
    const deadline = new Promise<void>((resolve) => clock.after(10, () => (order.push(`deadline@${clock.now()}`), resolve())));

    await realSleep(150); // real work far longer than the 10 ms (virtual) deadline
    order.push('slow done');
    activity.idle('slow');
    await deadline;

    expect(order).toEqual(['slow done', 'deadline@10']);
    activity.stop();
  });

  it('runs sleepers in simulated-time order and takes no real time for simulated time', async () => {
    const clock = new VirtualClock(0);
    const activity = new FleetActivity(clock);
    const woke: string[] = [];
    const started = performance.now();
    for (const [id, ms] of [['a', 60_000], ['b', 1_000], ['c', 30_000]] as const) {
      activity.busy(id);
      void activity.sleep(id, ms).then(() => {
        woke.push(`${id}@${clock.now()}`);
        activity.idle(id);
      });
    }
    while (woke.length < 3) await new Promise((resolve) => setImmediate(resolve));

    expect(woke).toEqual(['b@1000', 'c@30000', 'a@60000']);
    expect(performance.now() - started).toBeLessThan(60_000);
    activity.stop();
  });

  it('does not advance while a woken client is still working, and not after stop', async () => {
    const clock = new VirtualClock(0);
    const activity = new FleetActivity(clock);
    let fired = 0;
    activity.busy('x');
    clock.after(5, () => fired++);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(0);

    activity.stop();
    activity.idle('x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(0);
    expect(clock.pending).toBe(1);
  });
});
