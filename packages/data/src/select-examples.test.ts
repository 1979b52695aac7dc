import { describe, expect, it } from 'vitest';
import type { LabeledExamples } from './examples.js';
import { labelHistogram } from './label-histogram.js';
import { selectExamples, splitExamples } from './select-examples.js';
import { shoalErrorFrom } from './testing/test-support.js';

/** Example i has features [i, i + 0.5] and label i % 3. */
function tinyDataset(count: number): LabeledExamples {
  return {
    features: Float32Array.from({ length: count * 2 }, (_, k) => Math.floor(k / 2) + (k % 2) * 0.5),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
    count,
    featureShape: [2],
    numClasses: 3,
  };
}

describe('selectExamples', () => {
  it('copies the listed rows in the listed order', () => {
    const data = tinyDataset(5);

    const selected = selectExamples(data, [4, 1, 1]);
    data.features.fill(-1);

    expect(selected.count).toBe(3);
    expect(Array.from(selected.features)).toEqual([4, 4.5, 1, 1.5, 1, 1.5]);
    expect(Array.from(selected.labels)).toEqual([1, 1, 1]);
    expect(selected.featureShape).toEqual([2]);
    expect(selected.numClasses).toBe(3);
  });

  it.each([[[5]], [[-1]], [[0.5]]])('rejects the out-of-range index list %j', (indices) => {
    const error = shoalErrorFrom(() => selectExamples(tinyDataset(5), indices));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/indices\[0\]/);
  });
});

describe('splitExamples', () => {
  it('splits into disjoint parts of the requested size that together hold every example', () => {
    const data = tinyDataset(100);

    const { train, eval: evaluation } = splitExamples(data, 0.2, 1);

    const firstFeatures = (part: LabeledExamples) => Array.from({ length: part.count }, (_, i) => part.features[i * 2]!);
    expect(train.count).toBe(80);
    expect(evaluation.count).toBe(20);
    expect([...firstFeatures(train), ...firstFeatures(evaluation)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(firstFeatures(train)).toEqual([...firstFeatures(train)].sort((a, b) => a - b));
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const evalRows = (seed: number) => Array.from(splitExamples(tinyDataset(100), 0.3, seed).eval.features);

    expect(evalRows(2)).toEqual(evalRows(2));
    expect(evalRows(2)).not.toEqual(evalRows(3));
  });

  it('allows the fractions 0 and 1', () => {
    expect(splitExamples(tinyDataset(10), 0, 1).eval.count).toBe(0);
    expect(splitExamples(tinyDataset(10), 1, 1).train.count).toBe(0);
  });

  it.each([-0.1, 1.1, Number.NaN])('rejects evalFraction %s', (fraction) => {
    expect(shoalErrorFrom(() => splitExamples(tinyDataset(10), fraction, 1)).code).toBe('VALIDATION_FAILED');
  });
});

describe('labelHistogram', () => {
  it('counts the classes of the selected examples', () => {
    const labels = new Uint8Array([0, 2, 2, 1, 2]);

    expect(labelHistogram(labels, [1, 2, 3], 4)).toEqual([0, 1, 2, 0]);
    expect(labelHistogram(labels, new Int32Array(0), 3)).toEqual([0, 0, 0]);
  });

  it.each([
    ['a label not below numClasses', () => labelHistogram(new Uint8Array([3]), [0], 3), /not below numClasses/],
    ['an index outside the labels', () => labelHistogram(new Uint8Array([0]), [1], 3), /indices\[0\]/],
    ['numClasses 0', () => labelHistogram(new Uint8Array([0]), [0], 0), /numClasses/],
  ])('rejects %s', (_case, action, message) => {
    const error = shoalErrorFrom(action);

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
  });
});
