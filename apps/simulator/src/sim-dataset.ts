/**
 * The simulation's data, loaded once per process into SharedArrayBuffers that every worker reads without a copy,
 * and the seeded partition of its training split among the virtual clients.
 */
import {
  describePartition,
  fashionMnistBytes,
  loadDatasetDir,
  mnistBytes,
  partitionDirichlet,
  partitionIid,
  partitionPathological,
  partitionQuantitySkew,
  splitExamples,
  type ImageBytes,
  type LabeledExamples,
  type Partition,
  type PartitionReport,
} from '@shoal/data';
import type { SimulationConfig } from './sim-config.js';

/** A data set in shared memory: features as bytes (value = byte × scale) or as float32 (value × scale). */
export interface SharedDataset {
  features: Uint8Array | Float32Array;
  scale: number;
  labels: Uint8Array;
  count: number;
  featureShape: number[];
  numClasses: number;
}

export interface SimulationData {
  name: string;
  train: SharedDataset;
  test: SharedDataset;
}

function shared<T extends Uint8Array | Float32Array>(values: T): T {
  const Type = values.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const copy = new Type(new SharedArrayBuffer(values.length * Type.BYTES_PER_ELEMENT));
  copy.set(values);
  return copy;
}

function fromImages(images: ImageBytes): SharedDataset {
  return { features: shared(images.pixels), scale: 1 / 255, labels: shared(images.labels), count: images.count, featureShape: [28, 28, 1], numClasses: 10 };
}

function fromExamples(data: LabeledExamples): SharedDataset {
  return { features: shared(data.features), scale: 1, labels: shared(data.labels), count: data.count, featureShape: [...data.featureShape], numClasses: data.numClasses };
}

/** The first `limit` examples, as views of the same shared memory. */
function firstExamples(data: SharedDataset, limit: number): SharedDataset {
  if (limit === 0 || limit >= data.count) return data;
  const row = data.featureShape.reduce((a, b) => a * b, 1);
  return { ...data, features: data.features.subarray(0, limit * row), labels: data.labels.subarray(0, limit), count: limit };
}

export function loadSimulationData(config: Pick<SimulationConfig, 'dataset' | 'dataDir' | 'testDir' | 'testFraction' | 'trainLimit' | 'seed'>): SimulationData {
  const data = loadAll(config);
  return { ...data, train: firstExamples(data.train, config.trainLimit) };
}

function loadAll(config: Pick<SimulationConfig, 'dataset' | 'dataDir' | 'testDir' | 'testFraction' | 'seed'>): SimulationData {
  switch (config.dataset) {
    case 'mnist':
      return { name: 'MNIST', train: fromImages(mnistBytes('train')), test: fromImages(mnistBytes('test')) };
    case 'fashion-mnist':
      return { name: 'Fashion-MNIST', train: fromImages(fashionMnistBytes('train')), test: fromImages(fashionMnistBytes('test')) };
    case 'dir': {
      const all = loadDatasetDir(config.dataDir!);
      const { train, eval: test } = config.testDir === undefined ? splitExamples(all, config.testFraction, config.seed) : { train: all, eval: loadDatasetDir(config.testDir) };
      return { name: config.dataDir!, train: fromExamples(train), test: fromExamples(test) };
    }
  }
}

export function partitionClients(config: Pick<SimulationConfig, 'partition' | 'clients' | 'alpha' | 'shardsPerClient' | 'seed'>, train: SharedDataset): Partition {
  const { clients, seed, alpha } = config;
  switch (config.partition) {
    case 'iid':
      return partitionIid(train.count, clients, seed);
    case 'pathological':
      return partitionPathological(train.labels, clients, { seed, shardsPerClient: config.shardsPerClient });
    case 'dirichlet':
      return partitionDirichlet(train.labels, clients, { alpha, seed });
    case 'quantity-skew':
      return partitionQuantitySkew(train.count, clients, { alpha, seed });
  }
}

export function reportPartition(partition: Partition, train: SharedDataset): PartitionReport {
  return describePartition(train.labels, partition, train.numClasses);
}
