import { describe, expect, it } from 'vitest';
import { labelHistogram } from './label-histogram.js';
import { loadMnist } from './mnist.js';
import { loadMnistShard, mnistPartition, type PartitionScheme } from './mnist-shard.js';
import { selectExamples } from './select-examples.js';
import { coversExactlyOnce, sameExamples, shoalErrorFrom } from './testing/test-support.js';

const train = loadMnist('train');
const everyIndex = Int32Array.from({ length: train.count }, (_, i) => i);

describe('loadMnistShard', () => {
  it.each(['iid', 'pathological'] as const)('covers the train set exactly once across 10 %s shards', (scheme: PartitionScheme) => {
    const partition = mnistPartition(scheme, 10, 42);

    const shards = Array.from({ length: 10 }, (_, index) => loadMnistShard({ partition: scheme, shard: { index, count: 10 } }));

    expect(coversExactlyOnce(partition, train.count)).toBe(true);
    expect(shards.every((shard, index) => sameExamples(shard, selectExamples(train, partition[index]!)))).toBe(true);
    expect(shards.reduce((total, shard) => total + shard.count, 0)).toBe(train.count);
    const combined = new Array<number>(10).fill(0);
    for (const shard of shards) for (const label of shard.labels) combined[label]!++;
    expect(combined).toEqual(labelHistogram(train.labels, everyIndex, 10));
  });

  it('uses seed 42 and the train split by default', () => {
    const implicit = loadMnistShard({ partition: 'iid', shard: { index: 1, count: 20 } });

    const explicit = loadMnistShard({ partition: 'iid', shard: { index: 1, count: 20 }, seed: 42, split: 'train' });

    expect(sameExamples(implicit, explicit)).toBe(true);
    expect(implicit.count).toBe(3000);
  });

  it('gives a different shard for a different seed', () => {
    const shard = (seed: number) => loadMnistShard({ partition: 'iid', shard: { index: 0, count: 100 }, seed }).labels;

    expect(shard(1)).not.toEqual(shard(2));
  });

  it('shards the test split when asked', () => {
    const shard = loadMnistShard({ partition: 'pathological', shard: { index: 4, count: 5 }, split: 'test' });

    // 5 clients × 2 shards = 10 shards, one whole digit class each, so sizes follow the class sizes.
    expect(shard.count).toBe(mnistPartition('pathological', 5, 42, 'test')[4]!.length);
    expect(new Set(shard.labels).size).toBe(2);
    expect(shard.featureShape).toEqual([28, 28, 1]);
  });

  it.each([
    ['an index equal to the count', { partition: 'iid', shard: { index: 10, count: 10 } }, /Shard index 10/],
    ['an unknown scheme', { partition: 'dirichlet', shard: { index: 0, count: 10 } }, /Unknown partition scheme "dirichlet"/],
  ])('rejects %s', (_case, options, message) => {
    const error = shoalErrorFrom(() => loadMnistShard(options as Parameters<typeof loadMnistShard>[0]));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
