/** Latency percentiles over a sliding window of recent requests (what agents report; never the inputs themselves). */
export class LatencyTracker {
  private readonly samples: number[] = [];

  constructor(private readonly window = 10_000) {}

  record(milliseconds: number): void {
    this.samples.push(milliseconds);
    if (this.samples.length > this.window) this.samples.splice(0, this.samples.length - this.window);
  }

  get count(): number {
    return this.samples.length;
  }

  percentile(p: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }
}
