/** Loads a dataset directory: dataset.json with its binary files, or else an MNIST-style IDX pair. */
import { readFileSync } from 'node:fs';
import { ShoalError } from '@shoal/protocol';
import { UNIT_BYTE_SCALE, scaleBytes } from './byte-features.js';
import { MANIFEST_FILE, parseDatasetManifest, type DatasetManifest } from './dataset-manifest.js';
import { assertDirectory, fileExists, readExactly, resolveDatasetFile } from './dataset-files.js';
import { featureSize, type LabeledExamples } from './examples.js';
import { decodeFiniteFloat32LE } from './float32-le.js';
import { parseIdx } from './idx-format.js';

export const IDX_IMAGES_FILE = 'images-idx3-ubyte';
export const IDX_LABELS_FILE = 'labels-idx1-ubyte';
/** IDX files carry no class count; MNIST-family sets have 10. */
const IDX_MIN_CLASSES = 10;

function assertLabelsBelow(labels: Uint8Array, numClasses: number, file: string): void {
  const bad = labels.findIndex((label) => label >= numClasses);
  if (bad !== -1) {
    throw new ShoalError('VALIDATION_FAILED', `labels: ${file} has label ${labels[bad]} at example ${bad}, not below numClasses = ${numClasses}`, {
      details: { field: 'labels', file, index: bad },
    });
  }
}

function readManifest(dir: string): DatasetManifest {
  const text = readFileSync(resolveDatasetFile(dir, MANIFEST_FILE, MANIFEST_FILE), 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ShoalError('VALIDATION_FAILED', `${MANIFEST_FILE} is not valid JSON: ${(cause as Error).message}`, { cause, details: { file: MANIFEST_FILE } });
  }
  return parseDatasetManifest(json);
}

function loadFromManifest(dir: string, manifest: DatasetManifest): LabeledExamples {
  const { count, featureShape, numClasses } = manifest;
  const valueCount = count * featureSize(featureShape);
  const bytesPerValue = manifest.features.dtype === 'uint8' ? 1 : 4;

  const featuresPath = resolveDatasetFile(dir, manifest.features.file, 'features.file');
  const labelsPath = resolveDatasetFile(dir, manifest.labels.file, 'labels.file');
  const featureBytes = readExactly(
    featuresPath,
    valueCount * bytesPerValue,
    'features.file',
    manifest.features.file,
    `count ${count} × prod(featureShape) ${featureSize(featureShape)} × ${bytesPerValue} byte(s) of ${manifest.features.dtype}`,
  );
  const labels = new Uint8Array(readExactly(labelsPath, count, 'labels.file', manifest.labels.file, `one uint8 per example, count ${count}`));
  assertLabelsBelow(labels, numClasses, manifest.labels.file);

  const { scale } = manifest.features;
  let features: Float32Array;
  if (manifest.features.dtype === 'uint8') {
    features = scaleBytes(featureBytes, scale);
  } else {
    features = decodeFiniteFloat32LE(featureBytes, manifest.features.file);
    if (scale !== 1) for (let i = 0; i < features.length; i++) features[i]! *= scale;
  }
  return { features, labels, count, featureShape, numClasses };
}

function readIdx(dir: string, name: string): { dims: number[]; data: Uint8Array } {
  const path = resolveDatasetFile(dir, name, name);
  try {
    return parseIdx(readFileSync(path));
  } catch (cause) {
    throw new ShoalError('VALIDATION_FAILED', `${name}: ${(cause as Error).message}`, { cause, details: { file: name } });
  }
}

function loadFromIdx(dir: string): LabeledExamples {
  const images = readIdx(dir, IDX_IMAGES_FILE);
  const labels = readIdx(dir, IDX_LABELS_FILE);
  const [count = 0, rows = 0, columns = 0] = images.dims;
  if (images.dims.length !== 3) {
    throw new ShoalError('VALIDATION_FAILED', `${IDX_IMAGES_FILE}: has ${images.dims.length} dimensions, expected 3 (count, rows, columns)`, { details: { file: IDX_IMAGES_FILE } });
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new ShoalError('VALIDATION_FAILED', `${IDX_LABELS_FILE}: dimensions ${labels.dims.join('x')} do not match the ${count} images`, { details: { file: IDX_LABELS_FILE } });
  }
  const labelBytes = new Uint8Array(labels.data);
  const numClasses = Math.max(IDX_MIN_CLASSES, labelBytes.reduce((max, label) => Math.max(max, label), 0) + 1);
  return { features: scaleBytes(images.data, UNIT_BYTE_SCALE), labels: labelBytes, count, featureShape: [rows, columns, 1], numClasses };
}

export function loadDatasetDir(dir: string): LabeledExamples {
  assertDirectory(dir);
  if (fileExists(dir, MANIFEST_FILE)) return loadFromManifest(dir, readManifest(dir));
  if (fileExists(dir, IDX_IMAGES_FILE) || fileExists(dir, IDX_LABELS_FILE)) return loadFromIdx(dir);
  throw new ShoalError('NOT_FOUND', `${dir} holds no ${MANIFEST_FILE} (nor an ${IDX_IMAGES_FILE} + ${IDX_LABELS_FILE} pair)`, {
    details: { path: dir, file: MANIFEST_FILE },
  });
}
