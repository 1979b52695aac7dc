/** One agent's share of MNIST, computed the same way in every process so N agents cover the data exactly once. */
import { ShoalError } from '@shoal/protocol';
import type { LabeledExamples } from './examples.js';
import { loadMnistIndices, mnistBytes, type MnistSplit } from './mnist.js';
import type { Partition } from './partition.js';
import { partitionIid } from './partition-iid.js';
import { partitionPathological } from './partition-pathological.js';
import { assertShardSpec, type ShardSpec } from './shard-spec.js';

export type PartitionScheme = 'iid' | 'pathological';

export const DEFAULT_PARTITION_SEED = 42;

/** The whole partition of a split; it uses only the public partitioners, so a simulator can reproduce it. */
export function mnistPartition(scheme: PartitionScheme, numClients: number, seed: number, split: MnistSplit = 'train'): Partition {
  const { labels, count } = mnistBytes(split);
  switch (scheme) {
    case 'iid':
      return partitionIid(count, numClients, seed);
    case 'pathological':
      return partitionPathological(labels, numClients, { seed });
    default:
      throw new ShoalError('VALIDATION_FAILED', `Unknown partition scheme ${JSON.stringify(scheme)}; use 'iid' or 'pathological'`, {
        details: { field: 'partition' },
      });
  }
}

export function loadMnistShard(options: { partition: PartitionScheme; shard: ShardSpec; seed?: number; split?: MnistSplit }): LabeledExamples {
  const shard = assertShardSpec(options.shard);
  const partition = mnistPartition(options.partition, shard.count, options.seed ?? DEFAULT_PARTITION_SEED, options.split ?? 'train');
  return loadMnistIndices(options.split ?? 'train', partition[shard.index]!);
}
