import { describe, expect, it } from 'vitest';
import { partitionIid } from './partition-iid.js';
import { coversExactlyOnce, shoalErrorFrom } from './testing/test-support.js';

describe('partitionIid', () => {
  it('gives client sizes that differ by at most one and cover every example once', () => {
    const partition = partitionIid(60000, 7, 42);

    const sizes = partition.map((client) => client.length);

    expect(sizes).toEqual([8572, 8572, 8572, 8571, 8571, 8571, 8571]);
    expect(coversExactlyOnce(partition, 60000)).toBe(true);
  });

  it('shuffles: a client does not get a contiguous run of indices', () => {
    const [first] = partitionIid(1000, 4, 1);

    expect(Array.from(first!)).not.toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const clients = (seed: number) => partitionIid(1000, 10, seed).map((client) => Array.from(client));

    expect(clients(3)).toEqual(clients(3));
    expect(clients(3)).not.toEqual(clients(4));
  });

  it('allows one client per example', () => {
    const partition = partitionIid(5, 5, 0);

    expect(partition.every((client) => client.length === 1)).toBe(true);
    expect(coversExactlyOnce(partition, 5)).toBe(true);
  });

  it.each([
    ['zero clients', () => partitionIid(10, 0, 1), /numClients/],
    ['fractional clients', () => partitionIid(10, 2.5, 1), /numClients/],
    ['more clients than examples', () => partitionIid(3, 4, 1), /4 clients.*3 examples/],
    ['a negative count', () => partitionIid(-1, 1, 1), /count/],
    ['a fractional seed', () => partitionIid(10, 2, 0.5), /seed/],
  ])('rejects %s', (_case, action, message) => {
    const error = shoalErrorFrom(action);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
