import { describe, expect, it } from 'vitest';
import { parseDatasetManifest } from './dataset-manifest.js';
import { shoalErrorFrom } from './testing/test-support.js';

function manifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'shoal-dataset',
    version: 1,
    count: 1000,
    featureShape: [28, 28, 1],
    numClasses: 10,
    features: { file: 'features.bin', dtype: 'uint8', scale: 0.00392156862745098 },
    labels: { file: 'labels.bin', dtype: 'uint8' },
    ...overrides,
  };
}

function withFeatures(features: Record<string, unknown>): Record<string, unknown> {
  return manifest({ features: { file: 'features.bin', dtype: 'uint8', scale: 1 / 255, ...features } });
}

describe('parseDatasetManifest', () => {
  it('accepts the documented example', () => {
    const parsed = parseDatasetManifest(manifest());

    expect(parsed).toEqual(manifest());
  });

  it('defaults a float32 scale to 1 and accepts files in subdirectories', () => {
    const parsed = parseDatasetManifest(withFeatures({ dtype: 'float32', scale: undefined, file: 'data/x.f32' }));

    expect(parsed.features).toEqual({ file: 'data/x.f32', dtype: 'float32', scale: 1 });
  });

  it.each([
    ['a non-object', [], '(root)', /must be an object/],
    ['an unknown top-level field', manifest({ description: 'x' }), '(root)', /unknown field "description"/],
    ['another format', manifest({ format: 'npz' }), 'format', /"shoal-dataset"/],
    ['another version', manifest({ version: 2 }), 'version', /must be 1/],
    ['count 0', manifest({ count: 0 }), 'count', /integer in \[1,/],
    ['a fractional count', manifest({ count: 1.5 }), 'count', /integer/],
    ['a string count', manifest({ count: '1000' }), 'count', /integer/],
    ['an empty featureShape', manifest({ featureShape: [] }), 'featureShape', /non-empty array/],
    ['a zero extent', manifest({ featureShape: [28, 0] }), 'featureShape[1]', /integer in \[1,/],
    ['featureShape that is not an array', manifest({ featureShape: 784 }), 'featureShape', /array/],
    ['numClasses 1', manifest({ numClasses: 1 }), 'numClasses', /\[2, 256\]/],
    ['numClasses 257', manifest({ numClasses: 257 }), 'numClasses', /\[2, 256\]/],
    ['missing features', manifest({ features: undefined }), 'features', /must be an object, got nothing/],
    ['an unknown features field', withFeatures({ scal: 1 }), 'features', /unknown field "scal"/],
    ['an unsupported feature dtype', withFeatures({ dtype: 'int16' }), 'features.dtype', /"uint8" or "float32"/],
    ['uint8 without scale', withFeatures({ scale: undefined }), 'features.scale', /required when dtype is "uint8"/],
    ['scale 0', withFeatures({ scale: 0 }), 'features.scale', /> 0/],
    ['a negative scale', withFeatures({ scale: -1 }), 'features.scale', /> 0/],
    ['a string scale', withFeatures({ scale: '1/255' }), 'features.scale', /number/],
    ['an absolute features path', withFeatures({ file: '/etc/passwd' }), 'features.file', /relative/],
    ['a drive-letter path', withFeatures({ file: 'C:/data/features.bin' }), 'features.file', /relative/],
    ['a path with ..', withFeatures({ file: '../features.bin' }), 'features.file', /no "\.\."/],
    ['a nested path with ..', withFeatures({ file: 'a/../../features.bin' }), 'features.file', /no "\.\."/],
    ['a backslash path', withFeatures({ file: 'data\\features.bin' }), 'features.file', /"\/" as separator/],
    ['an empty file name', withFeatures({ file: '' }), 'features.file', /non-empty/],
    ['a label dtype other than uint8', manifest({ labels: { file: 'labels.bin', dtype: 'int8' } }), 'labels.dtype', /"uint8"/],
    ['labels escaping the directory', manifest({ labels: { file: '../labels.bin', dtype: 'uint8' } }), 'labels.file', /no "\.\."/],
    ['labels and features in one file', manifest({ labels: { file: 'features.bin', dtype: 'uint8' } }), 'labels.file', /differ/],
  ])('rejects %s, naming the field', (_case, json, field, message) => {
    const error = shoalErrorFrom(() => parseDatasetManifest(json));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toMatchObject({ file: 'dataset.json', field });
    expect(error.message).toContain(`"${field}"`);
    expect(error.message).toMatch(message);
  });
});
