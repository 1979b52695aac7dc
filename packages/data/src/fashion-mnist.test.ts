import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR_ENV, fashionMnistBytes, loadFashionMnist } from './fashion-mnist.js';
import { labelHistogram } from './label-histogram.js';
import { shoalErrorFrom } from './testing/test-support.js';

describe('Fashion-MNIST from dataset-fashion-mnist', () => {
  const saved = process.env[FASHION_MNIST_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
    else process.env[FASHION_MNIST_DIR_ENV] = saved;
  });

  it('loads the test split: 10,000 images, 1,000 per class, scaled to [0, 1]', () => {
    const data = loadFashionMnist('test');

    expect(data.count).toBe(10000);
    expect(data.featureShape).toEqual([28, 28, 1]);
    expect(labelHistogram(data.labels, Int32Array.from({ length: 10000 }, (_, i) => i), 10)).toEqual(new Array(10).fill(1000));
    expect(Math.max(...data.features.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
    expect(fashionMnistBytes('train').count).toBe(60000);
  });

  it('says how to install it when the files are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'shoal-fashion-'));
    process.env[FASHION_MNIST_DIR_ENV] = empty;
    try {
      const error = shoalErrorFrom(() => fashionMnistBytes('test'));

      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toMatch(/apt-get install dataset-fashion-mnist/);
      expect(error.message).toContain(join(empty, 't10k-images-idx3-ubyte.gz'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
