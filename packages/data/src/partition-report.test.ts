import { describe, expect, it } from 'vitest';
import { describePartition, partitionLabelHistograms } from './partition-report.js';

const labels = Uint8Array.from([0, 0, 1, 1, 2, 2]);

describe('describePartition', () => {
  it('reports per-client label histograms', () => {
    const histograms = partitionLabelHistograms(labels, [Int32Array.from([0, 2]), Int32Array.from([1, 3, 4, 5])], 3);

    expect(histograms).toEqual([
      [1, 1, 0],
      [1, 1, 2],
    ]);
  });

  it('measures no skew when every client has the global mix and full skew for one label each', () => {
    const mixed = describePartition(labels, [Int32Array.from([0, 2, 4]), Int32Array.from([1, 3, 5])], 3);
    const split = describePartition(labels, [Int32Array.from([0, 1]), Int32Array.from([2, 3]), Int32Array.from([4, 5])], 3);

    expect(mixed.labelSkew).toBe(0);
    expect(mixed.labelsPerClient).toEqual({ min: 3, median: 3, mean: 3, max: 3 });
    expect(split.labelSkew).toBeCloseTo(2 / 3);
    expect(split.sizes).toEqual({ min: 2, median: 2, mean: 2, max: 2 });
  });
});
