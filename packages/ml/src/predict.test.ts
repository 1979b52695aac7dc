import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { predict } from './predict.js';
import { buildPresetModel } from './presets.js';
import { randomValues, relativeError, shoalErrorFrom, useBackend } from './testing/test-support.js';

describe('predict', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('returns probabilities per class and the most likely class, as model.predict does', () => {
    const model = buildPresetModel('mnist-2nn', { seed: 2 });
    const features = randomValues(300 * 784, 1); // more than one internal batch
    const before = tf.memory().numTensors;

    const { classes, probabilities } = predict(model, features, 300);

    expect(tf.memory().numTensors).toBe(before);
    expect(classes).toHaveLength(300);
    expect(probabilities).toHaveLength(3000);
    const reference = tf.tidy(() => (model.predict(tf.tensor2d(features, [300, 784])) as tf.Tensor).dataSync());
    expect(relativeError(probabilities, reference)).toBeLessThan(1e-6);
    for (let row = 0; row < 300; row++) {
      const rowValues = Array.from(probabilities.subarray(row * 10, row * 10 + 10));
      expect(rowValues.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
      expect(classes[row]).toBe(rowValues.indexOf(Math.max(...rowValues)));
    }
    model.dispose();
  });

  it('takes images for the CNN and answers a single example', () => {
    const model = buildPresetModel('mnist-cnn', { seed: 2 });

    const { classes, probabilities } = predict(model, randomValues(784, 2), 1);

    expect(classes).toHaveLength(1);
    expect(probabilities).toHaveLength(10);
    model.dispose();
  });

  it('refuses features that do not match count x input size', async () => {
    const model = buildPresetModel('mnist-2nn');

    const short = await shoalErrorFrom(() => predict(model, new Float32Array(784 * 2 - 1), 2));
    const negative = await shoalErrorFrom(() => predict(model, new Float32Array(0), -1));

    expect(short.code).toBe('VALIDATION_FAILED');
    expect(short.message).toMatch(/2 x 784 = 1568 float32 values .* got 1567/);
    expect(negative.code).toBe('VALIDATION_FAILED');
    model.dispose();
  });
});
