/** Writes LabeledExamples as a dataset directory that loadDatasetDir (or any other reader of the format) can load. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalError } from '@shoal/protocol';
import { UNIT_BYTE_SCALE } from './byte-features.js';
import { DATASET_FORMAT, DATASET_FORMAT_VERSION, MANIFEST_FILE, type DatasetManifest, type FeatureDtype } from './dataset-manifest.js';
import { assertLabeledExamples, type LabeledExamples } from './examples.js';
import { encodeFloat32LE } from './float32-le.js';

const FEATURES_FILE = 'features.bin';
const LABELS_FILE = 'labels.bin';

/** Bytes of value / scale rounded to nearest; values must lie in [0, 1] so no byte overflows. */
function quantizeToBytes(features: Float32Array): Uint8Array {
  const bytes = new Uint8Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const value = features[i]!;
    if (!(value >= 0 && value <= 1)) {
      throw new ShoalError('VALIDATION_FAILED', `features[${i}] = ${value} is outside [0, 1]; uint8 features need values in [0, 1], use featureDtype 'float32'`, {
        details: { field: 'features', index: i },
      });
    }
    bytes[i] = Math.round(value / UNIT_BYTE_SCALE);
  }
  return bytes;
}

function assertFinite(features: Float32Array): void {
  const bad = features.findIndex((value) => !Number.isFinite(value));
  if (bad !== -1) {
    throw new ShoalError('VALIDATION_FAILED', `features[${bad}] = ${features[bad]}; features must be finite`, { details: { field: 'features', index: bad } });
  }
}

/**
 * float32 (the default) is lossless; uint8 is four times smaller and rounds each value to the nearest 1/255.
 * Existing files of the same names are overwritten.
 */
export function writeDatasetDir(dir: string, data: LabeledExamples, options: { featureDtype?: FeatureDtype } = {}): void {
  const featureDtype = options.featureDtype ?? 'float32';
  if (featureDtype !== 'uint8' && featureDtype !== 'float32') {
    throw new ShoalError('VALIDATION_FAILED', `featureDtype must be 'uint8' or 'float32', got ${String(featureDtype)}`, { details: { field: 'featureDtype' } });
  }
  assertLabeledExamples(data);
  if (data.count === 0) throw new ShoalError('VALIDATION_FAILED', 'Cannot write a dataset with no examples', { details: { field: 'count' } });

  let featureBytes: Uint8Array;
  if (featureDtype === 'uint8') {
    featureBytes = quantizeToBytes(data.features);
  } else {
    assertFinite(data.features);
    featureBytes = encodeFloat32LE(data.features);
  }
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    count: data.count,
    featureShape: [...data.featureShape],
    numClasses: data.numClasses,
    features: { file: FEATURES_FILE, dtype: featureDtype, scale: featureDtype === 'uint8' ? UNIT_BYTE_SCALE : 1 },
    labels: { file: LABELS_FILE, dtype: 'uint8' },
  };

  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FEATURES_FILE), featureBytes);
  writeFileSync(join(dir, LABELS_FILE), data.labels);
  // The manifest goes last: a directory interrupted mid-write has no manifest and reads as NOT_FOUND, not as corrupt data.
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
