/** @shoal/data: data sets for federated learning (MNIST, dataset directories), seeded randomness and client partitions. */
export type { LabeledExamples } from './examples.js';
export { loadMnist } from './mnist.js';
export { parseIdx } from './idx-format.js';
export { createRng } from './rng.js';
export type { Rng } from './rng.js';
export type { Partition } from './partition.js';
export { partitionIid } from './partition-iid.js';
export { partitionPathological } from './partition-pathological.js';
export { labelHistogram } from './label-histogram.js';
export { selectExamples, splitExamples } from './select-examples.js';
export { parseShardSpec } from './shard-spec.js';
export type { ShardSpec } from './shard-spec.js';
export { loadMnistShard } from './mnist-shard.js';
export type { PartitionScheme } from './mnist-shard.js';
export { loadDatasetDir } from './dataset-read.js';
export { writeDatasetDir } from './dataset-write.js';
