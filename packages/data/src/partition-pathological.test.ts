import { describe, expect, it } from 'vitest';
import { labelHistogram } from './label-histogram.js';
import { mnistBytes } from './mnist.js';
import { partitionPathological } from './partition-pathological.js';
import { coversExactlyOnce, shoalErrorFrom } from './testing/test-support.js';

const { labels, count } = mnistBytes('train');

function labelsPerClient(partition: Int32Array[]): number[] {
  return partition.map((client) => labelHistogram(labels, client, 10).filter((examples) => examples > 0).length);
}

describe('partitionPathological on MNIST train', () => {
  it('gives 100 clients at most 2 labels each, mostly exactly 2, covering every example once', () => {
    const partition = partitionPathological(labels, 100, { seed: 42 });

    const perClient = labelsPerClient(partition);

    expect(partition).toHaveLength(100);
    expect(Math.max(...perClient)).toBeLessThanOrEqual(2);
    expect(perClient.filter((labelCount) => labelCount === 2).length).toBeGreaterThanOrEqual(80);
    expect(coversExactlyOnce(partition, count)).toBe(true);
  });

  it('keeps client sizes near count / numClients (shards are near-equal)', () => {
    const sizes = partitionPathological(labels, 100, { seed: 42 }).map((client) => client.length);

    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(570);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(630);
  });

  it('respects shardsPerClient', () => {
    const partition = partitionPathological(labels, 50, { seed: 1, shardsPerClient: 3 });

    expect(Math.max(...labelsPerClient(partition))).toBeLessThanOrEqual(3);
    expect(coversExactlyOnce(partition, count)).toBe(true);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const clients = (seed: number) => partitionPathological(labels, 100, { seed }).map((client) => Array.from(client));

    expect(clients(7)).toEqual(clients(7));
    expect(clients(7)).not.toEqual(clients(8));
  });

  it('returns each client its indices in ascending order', () => {
    const [first] = partitionPathological(labels, 10, { seed: 3 });

    expect(Array.from(first!)).toEqual(Array.from(first!).sort((a, b) => a - b));
  });

  it('falls back to equal cuts of the label-sorted list when there are fewer shards than labels', () => {
    const partition = partitionPathological(labels, 2, { seed: 5 });

    expect(partition.map((client) => client.length)).toEqual([30000, 30000]);
    expect(coversExactlyOnce(partition, count)).toBe(true);
  });
});

describe('partitionPathological arguments', () => {
  it.each([
    ['zero shards per client', () => partitionPathological(new Uint8Array(10), 2, { seed: 1, shardsPerClient: 0 }), /shardsPerClient/],
    ['more shards than examples', () => partitionPathological(new Uint8Array(10), 4, { seed: 1, shardsPerClient: 3 }), /12 shards exceed the 10 examples/],
    ['more clients than examples', () => partitionPathological(new Uint8Array(3), 4, { seed: 1 }), /numClients|clients/],
    ['labels that are not bytes', () => partitionPathological([1, 2] as unknown as Uint8Array, 1, { seed: 1 }), /Uint8Array/],
  ])('rejects %s', (_case, action, message) => {
    const error = shoalErrorFrom(action);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
