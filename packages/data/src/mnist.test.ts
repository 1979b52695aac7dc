import { describe, expect, it } from 'vitest';
import { labelHistogram } from './label-histogram.js';
import { loadMnist, mnistBytes } from './mnist.js';
import { shoalErrorFrom } from './testing/test-support.js';

// Published class counts of the MNIST splits.
const TRAIN_HISTOGRAM = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_HISTOGRAM = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function everyIndex(count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i);
}

describe('loadMnist', () => {
  it.each([
    ['train', 60000, TRAIN_HISTOGRAM, 5],
    ['test', 10000, TEST_HISTOGRAM, 7],
  ] as const)('loads the full %s split', (split, count, histogram, firstLabel) => {
    const data = loadMnist(split);

    expect(data.count).toBe(count);
    expect(data.featureShape).toEqual([28, 28, 1]);
    expect(data.numClasses).toBe(10);
    expect(data.features.length).toBe(count * 784);
    expect(data.labels.length).toBe(count);
    expect(data.labels[0]).toBe(firstLabel);
    expect(labelHistogram(data.labels, everyIndex(count), 10)).toEqual(histogram);
  });

  it('scales pixels to [0, 1] in steps of 1/255', () => {
    const data = loadMnist('test');

    let min = Infinity;
    let max = -Infinity;
    let offGrid = 0;
    for (const value of data.features) {
      min = Math.min(min, value);
      max = Math.max(max, value);
      if (Math.abs(value * 255 - Math.round(value * 255)) > 1e-4) offGrid++;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(offGrid).toBe(0);
  });

  it('takes the first N examples with limit, and clamps a limit beyond the split', () => {
    const full = loadMnist('test');

    const limited = loadMnist('test', { limit: 25 });
    const clamped = loadMnist('test', { limit: 1_000_000 });

    expect(limited.count).toBe(25);
    expect(limited.labels).toEqual(full.labels.subarray(0, 25));
    expect(limited.features).toEqual(full.features.subarray(0, 25 * 784));
    expect(clamped.count).toBe(10000);
  });

  it('reads the files once and hands out independent copies', () => {
    const first = loadMnist('test', { limit: 1 });

    first.features.fill(9);
    first.labels[0] = 3;
    const second = loadMnist('test', { limit: 1 });

    expect(mnistBytes('test')).toBe(mnistBytes('test'));
    expect(second.labels[0]).toBe(7);
    expect(Math.max(...second.features)).toBeLessThanOrEqual(1);
  });

  it.each([
    ['a negative limit', () => loadMnist('test', { limit: -1 }), /limit/],
    ['a fractional limit', () => loadMnist('test', { limit: 1.5 }), /limit/],
    ['an unknown split', () => loadMnist('validation' as 'test'), /split must be 'train' or 'test'/],
  ])('rejects %s', (_case, action, message) => {
    const error = shoalErrorFrom(action);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
