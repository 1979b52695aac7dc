/**
 * Fashion-MNIST (Xiao et al. 2017) from Debian's `dataset-fashion-mnist` package, which installs the gzipped IDX
 * files under /usr/share/datasets/fashion-mnist. Same layout as MNIST: 28×28 grey images, 10 classes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ShoalError } from '@shoal/protocol';
import { UNIT_BYTE_SCALE, scaleBytes } from './byte-features.js';
import type { LabeledExamples } from './examples.js';
import { checkImagePair, type ImageBytes } from './image-pair.js';
import { parseIdx } from './idx-format.js';

export type FashionMnistSplit = 'train' | 'test';

export const FASHION_MNIST_DIR_ENV = 'SHOAL_FASHION_MNIST_DIR';
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FILE_PREFIX: Record<FashionMnistSplit, string> = { train: 'train', test: 't10k' };

const cache = new Map<string, ImageBytes>();

export function fashionMnistDir(): string {
  return process.env[FASHION_MNIST_DIR_ENV]?.trim() || FASHION_MNIST_DEFAULT_DIR;
}

/** Reads `name` or `name.gz` from the directory. */
function readIdx(dir: string, name: string): { dims: number[]; data: Uint8Array } {
  const plain = join(dir, name);
  const gzipped = `${plain}.gz`;
  if (!existsSync(plain) && !existsSync(gzipped)) {
    throw new ShoalError(
      'NOT_FOUND',
      `Fashion-MNIST is not installed: ${gzipped} is missing. Install Debian's package (apt-get install dataset-fashion-mnist) or set ${FASHION_MNIST_DIR_ENV} to a directory holding the IDX files`,
      { details: { path: gzipped } },
    );
  }
  const bytes = existsSync(plain) ? readFileSync(plain) : gunzipSync(readFileSync(gzipped));
  try {
    return parseIdx(bytes);
  } catch (cause) {
    throw new ShoalError('VALIDATION_FAILED', `Fashion-MNIST file ${plain} is not valid: ${(cause as Error).message}`, { cause });
  }
}

/** The parsed bytes of a split, read once per process and directory. */
export function fashionMnistBytes(split: FashionMnistSplit): ImageBytes {
  if (split !== 'train' && split !== 'test') {
    throw new ShoalError('VALIDATION_FAILED', `Fashion-MNIST split must be 'train' or 'test', got ${String(split)}`, { details: { field: 'split' } });
  }
  const dir = fashionMnistDir();
  const key = `${dir}:${split}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const images = readIdx(dir, `${FILE_PREFIX[split]}-images-idx3-ubyte`);
  const labels = readIdx(dir, `${FILE_PREFIX[split]}-labels-idx1-ubyte`);
  const loaded = checkImagePair(`Fashion-MNIST ${split}`, images, labels, FASHION_MNIST_CLASSES.length);
  cache.set(key, loaded);
  return loaded;
}

/** A fresh copy of a split, pixels scaled to [0, 1]. */
export function loadFashionMnist(split: FashionMnistSplit): LabeledExamples {
  const { pixels, labels, count } = fashionMnistBytes(split);
  return { features: scaleBytes(pixels, UNIT_BYTE_SCALE), labels: labels.slice(), count, featureShape: [28, 28, 1], numClasses: FASHION_MNIST_CLASSES.length };
}
