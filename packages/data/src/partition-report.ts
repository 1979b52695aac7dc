/** Describes a partition: client sizes, per-client label histograms, and how far clients' label mixes are from the whole. */
import { labelHistogram } from './label-histogram.js';
import type { Partition } from './partition.js';

export interface Spread {
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface PartitionReport {
  numClients: number;
  numClasses: number;
  sizes: Spread;
  /** Distinct labels a client holds. */
  labelsPerClient: Spread;
  /**
   * Mean total-variation distance between a client's label distribution and the whole data set's:
   * 0 when every client has the global mix, near 1 when each holds one rare label.
   */
  labelSkew: number;
  /** histograms[client][label] = that client's examples of that label. */
  histograms: number[][];
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0] ?? 0, median: median ?? 0, mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length), max: sorted.at(-1) ?? 0 };
}

export function partitionLabelHistograms(labels: Uint8Array, partition: Partition, numClasses: number): number[][] {
  return partition.map((client) => labelHistogram(labels, client, numClasses));
}

export function describePartition(labels: Uint8Array, partition: Partition, numClasses: number): PartitionReport {
  const histograms = partitionLabelHistograms(labels, partition, numClasses);
  const global = new Array<number>(numClasses).fill(0);
  for (const histogram of histograms) histogram.forEach((count, label) => (global[label]! += count));
  const total = global.reduce((a, b) => a + b, 0);
  const distances = histograms.map((histogram) => {
    const size = histogram.reduce((a, b) => a + b, 0);
    return size === 0 ? 0 : 0.5 * histogram.reduce((sum, count, label) => sum + Math.abs(count / size - global[label]! / total), 0);
  });
  return {
    numClients: partition.length,
    numClasses,
    sizes: spread(partition.map((client) => client.length)),
    labelsPerClient: spread(histograms.map((histogram) => histogram.filter((count) => count > 0).length)),
    labelSkew: distances.reduce((a, b) => a + b, 0) / Math.max(1, distances.length),
    histograms,
  };
}
