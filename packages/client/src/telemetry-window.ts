/**
 * Aggregates of one served version over one reporting window: request and error counts, latency percentiles, the
 * predicted class distribution and summary statistics of the inputs. Only aggregates are kept, never an input.
 */
import { LatencyTracker, histogram } from '@shoal/edge';

/** Bins of the input histogram: equal width over [0, 1]; values outside fall in the end bins (clipped). */
export const INPUT_HISTOGRAM_BINS = 16;
/** Latency samples kept per window; beyond it the latest are kept (percentiles of the recent requests). */
const LATENCY_SAMPLES_PER_WINDOW = 100_000;

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The statistics part of a telemetry:report (protocols/v1 `telemetry-report`). */
export interface WindowStatistics {
  windowStartMs: number;
  windowEndMs: number;
  requests: number;
  errors: number;
  latencyMs: LatencySummary;
  classCounts: number[];
  inputHistogram: number[];
  inputMean: number;
  inputStd: number;
  labelled?: { count: number; correct: number };
}

export class TelemetryWindow {
  private requests = 0;
  private errors = 0;
  private readonly latencies = new LatencyTracker(LATENCY_SAMPLES_PER_WINDOW);
  private readonly classCounts: number[];
  private readonly inputHistogram = new Array<number>(INPUT_HISTOGRAM_BINS).fill(0);
  private valueCount = 0;
  private valueSum = 0;
  private valueSquares = 0;
  private labelledCount = 0;
  private labelledCorrect = 0;

  constructor(
    numClasses: number,
    readonly startMs: number,
  ) {
    this.classCounts = new Array<number>(numClasses).fill(0);
  }

  /** Whether anything happened in the window. */
  get isEmpty(): boolean {
    return this.requests === 0 && this.labelledCount === 0;
  }

  /** A prediction served: its latency (ms), the class predicted and the example's values. */
  recordPrediction(latencyMs: number, classId: number, features: ArrayLike<number>): void {
    this.requests += 1;
    this.latencies.record(latencyMs);
    this.classCounts[classId] = (this.classCounts[classId] ?? 0) + 1;
    histogram(features, INPUT_HISTOGRAM_BINS, 0, 1).forEach((count, bin) => (this.inputHistogram[bin]! += count));
    for (let i = 0; i < features.length; i++) {
      const value = features[i]!;
      this.valueSum += value;
      this.valueSquares += value * value;
    }
    this.valueCount += features.length;
  }

  /** A request that was refused or failed. */
  recordError(): void {
    this.requests += 1;
    this.errors += 1;
  }

  /** A labelled sample whose example this version had predicted. */
  recordLabel(correct: boolean): void {
    this.labelledCount += 1;
    if (correct) this.labelledCorrect += 1;
  }

  /** The window's statistics, ended at `endMs`. */
  statistics(endMs: number): WindowStatistics {
    const percentile = (p: number) => this.latencies.percentile(p) ?? 0;
    const mean = this.valueCount === 0 ? 0 : this.valueSum / this.valueCount;
    const variance = this.valueCount === 0 ? 0 : Math.max(0, this.valueSquares / this.valueCount - mean * mean);
    return {
      windowStartMs: this.startMs,
      windowEndMs: endMs,
      requests: this.requests,
      errors: this.errors,
      latencyMs: { p50: percentile(50), p95: percentile(95), p99: percentile(99), max: percentile(100) },
      classCounts: [...this.classCounts],
      inputHistogram: [...this.inputHistogram],
      inputMean: mean,
      inputStd: Math.sqrt(variance),
      ...(this.labelledCount === 0 ? {} : { labelled: { count: this.labelledCount, correct: this.labelledCorrect } }),
    };
  }
}
