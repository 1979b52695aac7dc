import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../time/virtual-clock.js';
import { ProgressThrottle } from './progress-throttle.js';

describe('ProgressThrottle', () => {
  const setup = () => {
    const clock = new VirtualClock(0);
    const sent: string[] = [];
    return { clock, sent, throttle: new ProgressThrottle<string>(clock, 250, (payload) => sent.push(payload)) };
  };

  it('sends the first progress at once and the newest of a burst when the interval ends', () => {
    const { clock, sent, throttle } = setup();
    throttle.progress('job-1', 'a1');
    for (const payload of ['a2', 'a3', 'a4']) throttle.progress('job-1', payload);
    throttle.progress('job-2', 'b1');
    expect(sent).toEqual(['a1', 'b1']);
    expect(clock.advance()).toBe(true);
    expect(clock.now()).toBe(250);
    expect(sent).toEqual(['a1', 'b1', 'a4']);
    // The held one opened a new interval: the next is held again, and nothing is sent twice.
    throttle.progress('job-1', 'a5');
    while (clock.advance());
    expect(sent).toEqual(['a1', 'b1', 'a4', 'a5']);
    expect(clock.pending).toBe(0);
  });

  it('sends what is held before the job’s next event, and nothing after stop', () => {
    const { clock, sent, throttle } = setup();
    throttle.progress('job-1', 'a1');
    throttle.progress('job-1', 'a2');
    throttle.flush('job-1');
    expect(sent).toEqual(['a1', 'a2']);
    throttle.flush('job-1');
    throttle.progress('job-1', 'a3');
    throttle.progress('job-1', 'a4');
    throttle.stop();
    expect(clock.advance()).toBe(false);
    expect(sent).toEqual(['a1', 'a2', 'a3']);
  });
});
