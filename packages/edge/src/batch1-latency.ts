/** Batch-1 inference latency of several models, measured in turns so that load from other processes falls on all alike. */
import type * as tf from '@tensorflow/tfjs';
import { predict } from '@shoal/ml';
import { LatencyTracker } from './latency-tracker.js';

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

export interface LatencyOptions {
  /** Timed predictions per model; default 200. */
  samples?: number;
  /** Untimed predictions per model first; default 20. */
  warmup?: number;
}

/** Times `predict` (what an agent serves with) on one example at a time, cycling through `examples` (count rows). */
export function measureBatch1Latency(models: readonly tf.LayersModel[], examples: Float32Array, count: number, options: LatencyOptions = {}): LatencyFigures[] {
  const { samples = 200, warmup = 20 } = options;
  const perExample = examples.length / count;
  const trackers = models.map(() => new LatencyTracker(samples));
  for (let turn = -warmup; turn < samples; turn++) {
    const row = (turn + warmup) % count;
    const example = examples.subarray(row * perExample, (row + 1) * perExample);
    // Rotate who goes first, so no model is always the one after a garbage-collection pause.
    for (let step = 0; step < models.length; step++) {
      const index = (turn + warmup + step) % models.length;
      const started = performance.now();
      predict(models[index]!, example, 1);
      if (turn >= 0) trackers[index]!.record(performance.now() - started);
    }
  }
  return trackers.map((tracker) => ({ p50Ms: tracker.percentile(50)!, p99Ms: tracker.percentile(99)!, samples: tracker.count }));
}
