import { describe, expect, it } from 'vitest';
import { roundMetrics } from './round-metrics.js';

describe('roundMetrics', () => {
  it('sums bytes per direction and computes both compression ratios against float32', () => {
    const metrics = roundMetrics({
      parameterCount: 1000,
      examples: 300,
      startedAt: 1_000,
      endedAt: 3_500,
      acceptedUpdateBytes: [1000, 1000],
      contributions: [
        { clientId: 'a', bytesUp: 1000, bytesDown: 4000 },
        { clientId: 'b', bytesUp: 1500, bytesDown: 1000 },
      ],
      downloads: { total: 2, deltas: 1 },
      training: { trainLoss: 0.5 },
    });
    expect(metrics).toMatchObject({ examples: 300, bytesUp: 2500, bytesDown: 5000, durationMs: 2500, deltaDownloads: 1, trainLoss: 0.5 });
    expect(metrics.compressionRatio).toBe(4); // 2 × 4000 float32 bytes over 2000 uploaded
    expect(metrics.downloadCompressionRatio).toBeCloseTo(1.6); // 2 × 4000 over 5000
    expect(metrics.trainAccuracy).toBeUndefined();
  });

  it('leaves the ratios out when nothing was accepted or downloaded', () => {
    const metrics = roundMetrics({ parameterCount: 10, examples: 0, startedAt: 0, endedAt: 1, acceptedUpdateBytes: [], contributions: [], downloads: { total: 0, deltas: 0 } });
    expect(metrics.compressionRatio).toBeUndefined();
    expect(metrics.downloadCompressionRatio).toBeUndefined();
  });
});
