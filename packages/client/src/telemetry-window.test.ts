import { describe, expect, it } from 'vitest';
import { TelemetryWindow } from './telemetry-window.js';

describe('telemetry window', () => {
  it('computes nearest-rank latency percentiles, class counts and error counts', () => {
    const window = new TelemetryWindow(3, 1_000);
    // Latencies 1..100 ms in a shuffled order; classes 0, 1, 2, 0, 1, 2, ...
    const order = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    order.forEach((latency, i) => window.recordPrediction(latency, i % 3, [0.5]));
    window.recordError();
    window.recordError();

    const statistics = window.statistics(6_000);

    expect(statistics).toMatchObject({ windowStartMs: 1_000, windowEndMs: 6_000, requests: 102, errors: 2 });
    expect(statistics.latencyMs).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(statistics.classCounts).toEqual([34, 33, 33]);
    expect(statistics.labelled).toBeUndefined();
  });

  it('histograms every input value over [0, 1] in 16 bins, clipping outliers into the end bins, with mean and std of the raw values', () => {
    const window = new TelemetryWindow(2, 0);
    window.recordPrediction(1, 0, [0, 0.03, 0.0625, 0.5]);
    window.recordPrediction(1, 1, [0.99, 1, -3, 7]);

    const statistics = window.statistics(10);

    // 0 and 0.03 and -3 → bin 0; 0.0625 = 1/16 → bin 1; 0.5 → bin 8; 0.99, 1 and 7 → bin 15.
    expect(statistics.inputHistogram).toEqual([3, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3]);
    expect(statistics.inputMean).toBeCloseTo(0.8228125, 12);
    expect(statistics.inputStd).toBeCloseTo(2.6176980099113325, 12);
  });

  it('counts labelled outcomes, and reports zeros for an empty window', () => {
    const window = new TelemetryWindow(4, 5);
    expect(window.isEmpty).toBe(true);
    expect(window.statistics(5)).toEqual({
      windowStartMs: 5, windowEndMs: 5, requests: 0, errors: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
      classCounts: [0, 0, 0, 0], inputHistogram: new Array(16).fill(0), inputMean: 0, inputStd: 0,
    });
    window.recordLabel(true);
    window.recordLabel(false);
    window.recordLabel(true);
    expect(window.isEmpty).toBe(false);
    expect(window.statistics(9).labelled).toEqual({ count: 3, correct: 2 });
  });
});
