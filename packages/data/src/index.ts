/** @shoal/data: data sets for federated learning (MNIST, dataset directories), seeded randomness and client partitions. */
export type { LabeledExamples } from './examples.js';
export { loadMnist, mnistBytes } from './mnist.js';
export type { ImageBytes } from './image-pair.js';
export { fashionMnistBytes } from './fashion-mnist.js';
export { createRng } from './rng.js';
export type { Rng } from './rng.js';
export type { Partition } from './partition.js';
export { partitionIid } from './partition-iid.js';
export { partitionPathological } from './partition-pathological.js';
export { partitionDirichlet } from './partition-dirichlet.js';
export { partitionQuantitySkew } from './partition-quantity-skew.js';
export { describePartition } from './partition-report.js';
export type { PartitionReport } from './partition-report.js';
export { selectExamples, splitExamples } from './select-examples.js';
export { parseShardSpec } from './shard-spec.js';
export { loadMnistShard } from './mnist-shard.js';
export type { PartitionScheme } from './mnist-shard.js';
export { loadDatasetDir } from './dataset-read.js';
