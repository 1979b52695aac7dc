/** The dataset.json manifest of a dataset directory, parsed from unknown JSON (docs/dataset-format.md). */
import { ShoalError } from '@shoal/protocol';

export const DATASET_FORMAT = 'shoal-dataset';
export const DATASET_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'dataset.json';

export type FeatureDtype = 'uint8' | 'float32';

/** The manifest with defaults filled in (a float32 scale that was omitted becomes 1). */
export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  version: typeof DATASET_FORMAT_VERSION;
  count: number;
  featureShape: number[];
  numClasses: number;
  features: { file: string; dtype: FeatureDtype; scale: number };
  labels: { file: string; dtype: 'uint8' };
}

type Json = Record<string, unknown>;

function invalid(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${MANIFEST_FILE}: "${field}" ${message}`, { details: { file: MANIFEST_FILE, field } });
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** Unknown keys are refused so a misspelt optional field (say "scal") cannot silently fall back to its default. */
function object(value: unknown, field: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, `must be an object, got ${describe(value)}`);
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw invalid(field, `has unknown field "${unknown}"; allowed: ${allowed.join(', ')}`);
  return value as Json;
}

function integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** A relative path that cannot leave the dataset directory, spelled the same on every OS. */
function relativeFile(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, `must be a non-empty file name, got ${describe(value)}`);
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) throw invalid(field, `must be relative to the dataset directory, got ${describe(value)}`);
  if (value.includes('\\') || value.includes('\0')) throw invalid(field, `must use "/" as separator and no NUL, got ${describe(value)}`);
  if (value.split('/').includes('..')) throw invalid(field, `must stay inside the dataset directory (no ".."), got ${describe(value)}`);
  return value;
}

function featureShape(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('featureShape', `must be a non-empty array of positive integers, got ${describe(value)}`);
  const shape = value.map((extent, axis) => integer(extent, `featureShape[${axis}]`, 1));
  if (!Number.isSafeInteger(shape.reduce((product, extent) => product * extent, 1))) throw invalid('featureShape', 'has too many values per example');
  return shape;
}

function features(value: unknown): DatasetManifest['features'] {
  const section = object(value, 'features', ['file', 'dtype', 'scale']);
  const file = relativeFile(section.file, 'features.file');
  const dtype = section.dtype;
  if (dtype !== 'uint8' && dtype !== 'float32') throw invalid('features.dtype', `must be "uint8" or "float32", got ${describe(dtype)}`);
  if (section.scale === undefined && dtype === 'uint8') throw invalid('features.scale', 'is required when dtype is "uint8" (value = byte × scale)');
  const scale = section.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw invalid('features.scale', `must be a finite number > 0, got ${describe(scale)}`);
  return { file, dtype, scale };
}

function labels(value: unknown): DatasetManifest['labels'] {
  const section = object(value, 'labels', ['file', 'dtype']);
  const file = relativeFile(section.file, 'labels.file');
  if (section.dtype !== 'uint8') throw invalid('labels.dtype', `must be "uint8", got ${describe(section.dtype)}`);
  return { file, dtype: 'uint8' };
}

export function parseDatasetManifest(value: unknown): DatasetManifest {
  const root = object(value, '(root)', ['format', 'version', 'count', 'featureShape', 'numClasses', 'features', 'labels']);
  if (root.format !== DATASET_FORMAT) throw invalid('format', `must be "${DATASET_FORMAT}", got ${describe(root.format)}`);
  if (root.version !== DATASET_FORMAT_VERSION) {
    throw invalid('version', `must be ${DATASET_FORMAT_VERSION} (the version this reader understands), got ${describe(root.version)}`);
  }
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    count: integer(root.count, 'count', 1),
    featureShape: featureShape(root.featureShape),
    numClasses: integer(root.numClasses, 'numClasses', 2, 256),
    features: features(root.features),
    labels: labels(root.labels),
  };
  if (manifest.features.file === manifest.labels.file) throw invalid('labels.file', 'must differ from features.file');
  return manifest;
}
