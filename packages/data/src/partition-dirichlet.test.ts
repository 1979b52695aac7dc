import { describe, expect, it } from 'vitest';
import { mnistBytes } from './mnist.js';
import { partitionDirichlet } from './partition-dirichlet.js';
import { describePartition } from './partition-report.js';
import { coversExactlyOnce, shoalErrorFrom } from './testing/test-support.js';

const { labels, count } = mnistBytes('train');

describe('partitionDirichlet on MNIST train', () => {
  it('covers every example exactly once and leaves no client empty', () => {
    const partition = partitionDirichlet(labels, 100, { alpha: 0.5, seed: 1 });

    expect(partition).toHaveLength(100);
    expect(coversExactlyOnce(partition, count)).toBe(true);
    expect(Math.min(...partition.map((client) => client.length))).toBeGreaterThanOrEqual(1);
  });

  it('skews labels more the smaller alpha is', () => {
    const skew = (alpha: number) => describePartition(labels, partitionDirichlet(labels, 100, { alpha, seed: 3 }), 10);

    const strong = skew(0.1);
    const mild = skew(1);
    const nearIid = skew(1000);

    expect(strong.labelSkew).toBeGreaterThan(0.6);
    expect(mild.labelSkew).toBeGreaterThan(0.3);
    expect(mild.labelSkew).toBeLessThan(strong.labelSkew);
    expect(nearIid.labelSkew).toBeLessThan(0.05);
    expect(strong.labelsPerClient.median).toBeLessThanOrEqual(6);
    expect(nearIid.labelsPerClient.min).toBe(10);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const clients = (seed: number) => partitionDirichlet(labels, 50, { alpha: 0.5, seed }).map((client) => Array.from(client));

    expect(clients(7)).toEqual(clients(7));
    expect(clients(7)).not.toEqual(clients(8));
  });

  it('gives every one of 10,000 clients an example even when most draws are near zero', () => {
    const partition = partitionDirichlet(labels, 10_000, { alpha: 0.05, seed: 2 });

    expect(Math.min(...partition.map((client) => client.length))).toBe(1);
    expect(coversExactlyOnce(partition, count)).toBe(true);
  });

  it.each([
    ['a zero alpha', () => partitionDirichlet(labels, 10, { alpha: 0, seed: 1 }), /alpha/],
    ['a NaN alpha', () => partitionDirichlet(labels, 10, { alpha: Number.NaN, seed: 1 }), /alpha/],
    ['more clients than examples', () => partitionDirichlet(new Uint8Array(3), 4, { alpha: 1, seed: 1 }), /4 clients.*3 examples/],
    ['labels that are not bytes', () => partitionDirichlet([1] as unknown as Uint8Array, 1, { alpha: 1, seed: 1 }), /Uint8Array/],
  ])('rejects %s', (_case, action, message) => {
    const error = shoalErrorFrom(action);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
