import { describe, expect, it } from 'vitest';
import { VirtualClock } from '@shoal/server';
import { decodeFrame } from '@shoal/codec';
import type { FitTask } from '@shoal/protocol';
import { Collusion, alieUpdate } from './collusion.js';
import { FleetActivity } from './fleet-activity.js';

const tensor = (...values: number[]) => [{ name: 'w', shape: [values.length], values: Float32Array.from(values) }];

describe('alieUpdate', () => {
  it('sends μ − z·σ per value over the attackers’ honest updates (population σ)', () => {
    // Values 1, 3 → μ 2, σ 1; values 0, 4 → μ 2, σ 2.
    const update = alieUpdate([tensor(1, 0), tensor(3, 4)], 1.5);

    expect(Array.from(update[0]!.values)).toEqual([2 - 1.5 * 1, 2 - 1.5 * 2]);
    expect(update[0]).toMatchObject({ name: 'w', shape: [2] });
  });

  it('gives a lone attacker its honest update (σ = 0)', () => {
    expect(Array.from(alieUpdate([tensor(0.25, -1)], 3)[0]!.values)).toEqual([0.25, -1]);
  });
});

describe('Collusion', () => {
  it('lets every attacker of a round hand in its update before any sends, and all send the same frame', async () => {
    const clock = new VirtualClock(0);
    const activity = new FleetActivity(clock);
    const collusion = new Collusion(activity, 1);
    const task = { jobId: 'job-1', round: 1, uploadCodec: { id: 'float32' } } as FitTask;
    for (const id of ['a', 'b']) activity.busy(id);

    // 'b' trains for longer (real time); the meeting waits for it because simulated time stands still meanwhile.
    // As a virtual client does once it has uploaded, each attacker stops working when its meeting is over.
    const member = (index: number, id: string, values: number[]) => collusion.meet(task, { index, id }, tensor(...values)).then((frame) => (activity.idle(id), frame));
    const first = member(0, 'a', [1, 0]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = member(1, 'b', [3, 4]);
    const [x, y] = await Promise.all([first, second]);

    expect(Array.from(decodeFrame(x).tensors[0]!.values)).toEqual([1, 0]); // μ − σ of (1, 3) and (0, 4)
    expect(x).toEqual(y);
    expect(x).not.toBe(y);
    activity.stop();
  });
});
