import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDatasetDir } from './dataset-read.js';
import { writeDatasetDir } from './dataset-write.js';
import type { LabeledExamples } from './examples.js';
import { loadMnist } from './mnist.js';
import { createRng } from './rng.js';
import { sameExamples, shoalErrorFrom, temporaryDir } from './testing/test-support.js';

const created: string[] = [];
function freshDir(prefix: string): string {
  const dir = temporaryDir(prefix);
  created.push(dir);
  return dir;
}
afterAll(() => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function randomExamples(count: number, featureShape: number[], seed: number): LabeledExamples {
  const rng = createRng(seed);
  const size = featureShape.reduce((product, extent) => product * extent, 1);
  return {
    features: Float32Array.from({ length: count * size }, () => rng.normal()),
    labels: Uint8Array.from({ length: count }, () => rng.nextInt(3)),
    count,
    featureShape,
    numClasses: 3,
  };
}

/** A valid float32 dataset of 4 examples × 2 values, written by hand as a device owner would. */
function handWrittenDir(manifestOverrides: Record<string, unknown> = {}, files: { features?: Uint8Array; labels?: Uint8Array } = {}): string {
  const dir = freshDir('hand');
  const features = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer);
  writeFileSync(join(dir, 'features.bin'), files.features ?? features);
  writeFileSync(join(dir, 'labels.bin'), files.labels ?? new Uint8Array([0, 1, 2, 1]));
  const manifest = {
    format: 'shoal-dataset',
    version: 1,
    count: 4,
    featureShape: [2],
    numClasses: 3,
    features: { file: 'features.bin', dtype: 'float32' },
    labels: { file: 'labels.bin', dtype: 'uint8' },
    ...manifestOverrides,
  };
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(manifest));
  return dir;
}

function idxFile(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((extent, axis) => new DataView(header.buffer).setUint32(4 + 4 * axis, extent, false));
  return new Uint8Array([...header, ...data]);
}

function float32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function idxPairDir(images: Uint8Array, labels?: Uint8Array): string {
  const dir = freshDir('idx');
  writeFileSync(join(dir, 'images-idx3-ubyte'), images);
  if (labels !== undefined) writeFileSync(join(dir, 'labels-idx1-ubyte'), labels);
  return dir;
}

function fileInsteadOfDir(): string {
  const path = join(freshDir('file'), 'plain-file');
  writeFileSync(path, '');
  return path;
}

function invalidJsonDir(): string {
  const dir = handWrittenDir();
  writeFileSync(join(dir, 'dataset.json'), '{ "format": ');
  return dir;
}

function directoryAsFeaturesDir(): string {
  const dir = handWrittenDir({ features: { file: 'sub', dtype: 'float32' } });
  mkdirSync(join(dir, 'sub'));
  return dir;
}

function manifestDirectoryDir(): string {
  const dir = freshDir('manifest-dir');
  mkdirSync(join(dir, 'dataset.json'));
  return dir;
}

function escapingSymlinkDir(): string {
  const outside = freshDir('outside');
  writeFileSync(join(outside, 'f.bin'), float32Bytes([0, 1, 2, 3, 4, 5, 6, 7]));
  const dir = handWrittenDir({ features: { file: 'link.bin', dtype: 'float32' } });
  symlinkSync(join(outside, 'f.bin'), join(dir, 'link.bin'));
  return dir;
}

describe('dataset directory round trip', () => {
  it('keeps MNIST exactly through uint8', () => {
    const dir = freshDir('uint8');
    const mnist = loadMnist('test', { limit: 500 });

    writeDatasetDir(dir, mnist, { featureDtype: 'uint8' });
    const loaded = loadDatasetDir(dir);

    expect(sameExamples(loaded, mnist)).toBe(true);
    expect(readFileSync(join(dir, 'features.bin')).length).toBe(500 * 784);
    expect(JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8'))).toEqual({
      format: 'shoal-dataset',
      version: 1,
      count: 500,
      featureShape: [28, 28, 1],
      numClasses: 10,
      features: { file: 'features.bin', dtype: 'uint8', scale: 0.00392156862745098 },
      labels: { file: 'labels.bin', dtype: 'uint8' },
    });
  });

  it('keeps arbitrary values exactly through float32 (the default), little-endian on disk', () => {
    const dir = freshDir('float32');
    const data = randomExamples(50, [3, 4], 1);

    writeDatasetDir(dir, data);
    const loaded = loadDatasetDir(dir);

    expect(sameExamples(loaded, data)).toBe(true);
    const bytes = readFileSync(join(dir, 'features.bin'));
    expect(bytes.length).toBe(50 * 12 * 4);
    expect(bytes.readFloatLE(4)).toBe(data.features[1]);
  });

  it('reads a hand-written float32 dataset and applies its scale', () => {
    const dir = handWrittenDir({ features: { file: 'features.bin', dtype: 'float32', scale: 0.5 } });

    const loaded = loadDatasetDir(dir);

    expect(Array.from(loaded.features)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
    expect(Array.from(loaded.labels)).toEqual([0, 1, 2, 1]);
    expect(loaded.featureShape).toEqual([2]);
  });

  it('rounds values to the nearest 1/255 when writing uint8', () => {
    const dir = freshDir('round');
    const data = { ...randomExamples(1, [2], 2), features: new Float32Array([0.5, 0.001]) };

    writeDatasetDir(dir, data, { featureDtype: 'uint8' });

    expect(Array.from(readFileSync(join(dir, 'features.bin')))).toEqual([128, 0]);
  });

  it('reads an IDX pair when there is no dataset.json', () => {
    const dir = idxPairDir(idxFile([2, 2, 3], new Uint8Array([0, 255, 51, 0, 0, 0, 1, 2, 3, 4, 5, 6])), idxFile([2], new Uint8Array([4, 9])));

    const loaded = loadDatasetDir(dir);

    expect(loaded.count).toBe(2);
    expect(loaded.featureShape).toEqual([2, 3, 1]);
    expect(loaded.numClasses).toBe(10);
    expect(loaded.features[1]).toBe(1);
    expect(loaded.features[2]).toBeCloseTo(0.2, 6);
    expect(Array.from(loaded.labels)).toEqual([4, 9]);
  });
});

describe('loadDatasetDir rejections', () => {
  it.each([
    ['a missing directory', () => join(freshDir('gone'), 'nope'), /does not exist/],
    ['a file instead of a directory', fileInsteadOfDir, /not a directory/],
    ['an empty directory', () => freshDir('empty'), /no dataset\.json/],
    ['a missing features file', () => handWrittenDir({ features: { file: 'missing.bin', dtype: 'float32' } }), /missing\.bin does not exist/],
    ['a missing labels file', () => handWrittenDir({ labels: { file: 'missing.bin', dtype: 'uint8' } }), /missing\.bin does not exist/],
    ['half an IDX pair', () => idxPairDir(idxFile([1, 1, 1], new Uint8Array([0]))), /labels-idx1-ubyte does not exist/],
  ])('reports %s as NOT_FOUND', (_case, makeDir, message) => {
    const dir = makeDir();

    const error = shoalErrorFrom(() => loadDatasetDir(dir));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['invalid JSON', invalidJsonDir, /dataset\.json is not valid JSON/],
    ['a schema error', () => handWrittenDir({ version: 2 }), /"version" must be 1/],
    ['a path with ..', () => handWrittenDir({ features: { file: '../features.bin', dtype: 'float32' } }), /"features\.file" must stay inside/],
    ['an absolute path', () => handWrittenDir({ labels: { file: '/etc/hostname', dtype: 'uint8' } }), /"labels\.file" must be relative/],
    ['a short features file', () => handWrittenDir({}, { features: float32Bytes([0, 1, 2, 3, 4, 5, 6]) }), /features\.file: features\.bin is 28 bytes, expected 32/],
    ['a long features file', () => handWrittenDir({}, { features: float32Bytes([0, 1, 2, 3, 4, 5, 6, 7, 8]) }), /features\.bin is 36 bytes, expected 32/],
    ['a uint8 features file sized for float32', () => handWrittenDir({ features: { file: 'features.bin', dtype: 'uint8', scale: 1 } }), /is 32 bytes, expected 8/],
    ['a short labels file', () => handWrittenDir({}, { labels: new Uint8Array([0, 1, 2]) }), /labels\.file: labels\.bin is 3 bytes, expected 4/],
    ['a label out of range', () => handWrittenDir({}, { labels: new Uint8Array([0, 1, 3, 1]) }), /labels\.bin has label 3 at example 2, not below numClasses = 3/],
    ['NaN in float32 features', () => handWrittenDir({}, { features: float32Bytes([0, 1, 2, Number.NaN, 4, 5, 6, 7]) }), /features\.bin: value 3 is NaN/],
    ['Infinity in float32 features', () => handWrittenDir({}, { features: float32Bytes([0, 1, 2, 3, 4, 5, 6, -Infinity]) }), /value 7 is -Infinity/],
    ['a directory where a file is named', directoryAsFeaturesDir, /sub is not a regular file/],
    ['a directory named dataset.json', manifestDirectoryDir, /dataset\.json is not a regular file/],
    ['a symlink that leaves the directory', escapingSymlinkDir, /link\.bin resolves outside the dataset directory/],
    ['a corrupt IDX file', () => idxPairDir(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), idxFile([1], new Uint8Array([0]))), /images-idx3-ubyte: IDX: unsupported dtype/],
    ['an IDX pair with different counts', () => idxPairDir(idxFile([2, 1, 1], new Uint8Array(2)), idxFile([3], new Uint8Array(3))), /labels-idx1-ubyte: dimensions 3 do not match the 2 images/],
    ['IDX images that are not 3-dimensional', () => idxPairDir(idxFile([2, 4], new Uint8Array(8)), idxFile([2], new Uint8Array(2))), /has 2 dimensions, expected 3/],
  ])('rejects %s with VALIDATION_FAILED', (_case, makeDir, message) => {
    const dir = makeDir();

    const error = shoalErrorFrom(() => loadDatasetDir(dir));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});

describe('writeDatasetDir rejections', () => {
  it.each([
    ['uint8 features outside [0, 1]', randomExamples(2, [2], 3), { featureDtype: 'uint8' as const }, /outside \[0, 1\].*float32/],
    ['NaN features', { ...randomExamples(1, [2], 4), features: new Float32Array([1, Number.NaN]) }, {}, /features\[1\] = NaN/],
    ['labels of the wrong length', { ...randomExamples(2, [2], 5), labels: new Uint8Array(3) }, {}, /labels must be a Uint8Array of count = 2/],
    ['features of the wrong length', { ...randomExamples(2, [2], 6), features: new Float32Array(3) }, {}, /features must be a Float32Array of count \* prod\(featureShape\) = 4/],
    ['a label not below numClasses', { ...randomExamples(2, [2], 7), labels: new Uint8Array([0, 3]) }, {}, /labels\[1\] = 3/],
    ['no examples', randomExamples(0, [2], 8), {}, /no examples/],
    ['an unknown dtype', randomExamples(1, [2], 9), { featureDtype: 'float16' as 'float32' }, /featureDtype/],
  ])('refuses %s and writes nothing', (_case, data, options, message) => {
    const dir = join(freshDir('write'), 'out');

    const error = shoalErrorFrom(() => writeDatasetDir(dir, data, options));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
    expect(shoalErrorFrom(() => loadDatasetDir(dir)).code).toBe('NOT_FOUND');
  });
});
