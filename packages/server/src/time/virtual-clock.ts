/**
 * Simulated time for a simulation's coordinator and virtual clients. Time stands still until the fleet is idle;
 * then `advance` jumps to the earliest pending timer and runs it. Round deadlines, straggler latencies and phase
 * timeouts are therefore decided by the seed, never by how fast this machine trains.
 */
import type { Clock } from './clock.js';

interface Timer {
  at: number;
  /** Creation order: timers due at the same instant run in the order they were set. */
  seq: number;
  callback: () => void;
  /** Ran or cancelled: either way it will not run (again). */
  settled: boolean;
}

const earlier = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  /** A binary min-heap on (at, seq); cancelled timers are dropped when they reach the top. */
  private readonly heap: Timer[] = [];
  /** Cancelled timers still in the heap. */
  private cancelled = 0;
  /** Called whenever a timer is set, so whoever advances the clock can look again. */
  onTimerSet: () => void = () => undefined;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback, settled: false };
    this.push(timer);
    this.onTimerSet();
    return () => {
      if (timer.settled) return;
      timer.settled = true;
      this.cancelled++;
    };
  }

  /** Timers set and neither run nor cancelled. */
  get pending(): number {
    return this.heap.length - this.cancelled;
  }

  /** Moves time to the earliest pending timer and runs it; false (and time unchanged) when none is pending. */
  advance(): boolean {
    this.dropCancelled();
    const timer = this.pop();
    if (timer === undefined) return false;
    this.time = Math.max(this.time, timer.at);
    timer.settled = true;
    timer.callback();
    return true;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.settled) {
      this.pop();
      this.cancelled--;
    }
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
    return top;
  }
}
