import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from './evaluate.js';
import { predict } from './predict.js';
import { buildPresetModel } from './presets.js';
import { shoalErrorFrom, syntheticExamples, useBackend } from './testing/test-support.js';
import { trainLocal } from './train-local.js';

describe('evaluateModel', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('reports mean cross-entropy and accuracy, matching a computation from predict', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 4 });
    const data = syntheticExamples(50, [784], 1);
    await trainLocal(model, syntheticExamples(100, [784], 2), { epochs: 1, batchSize: 20, learningRate: 0.1, seed: 1 });
    const { probabilities, classes } = predict(model, data.features, data.count);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < data.count; i++) {
      loss -= Math.log(Math.min(Math.max(probabilities[i * 10 + data.labels[i]!]!, 1e-7), 1 - 1e-7));
      if (classes[i] === data.labels[i]) correct++;
    }

    const result = await evaluateModel(model, data, { batchSize: 16 });

    expect(result.numExamples).toBe(50);
    expect(result.loss).toBeCloseTo(loss / data.count, 4);
    expect(result.accuracy).toBe(correct / data.count);
    expect(result.accuracy).toBeGreaterThan(0.3); // it did learn something
    model.dispose();
  });

  it('does not depend on the batch size and leaks no tensors', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 4 });
    const data = syntheticExamples(37, [784], 3);
    const before = tf.memory().numTensors;

    const small = await evaluateModel(model, data, { batchSize: 5 });
    const whole = await evaluateModel(model, data, { batchSize: 1000 });

    expect(small.loss).toBeCloseTo(whole.loss, 5);
    expect(small.accuracy).toBe(whole.accuracy);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses an empty data set and a bad batch size', async () => {
    const model = buildPresetModel('mnist-2nn');
    const empty = { ...syntheticExamples(0, [784], 4) };

    const noData = await shoalErrorFrom(() => evaluateModel(model, empty));
    const badBatch = await shoalErrorFrom(() => evaluateModel(model, syntheticExamples(3, [784], 5), { batchSize: 0 }));

    expect(noData.code).toBe('VALIDATION_FAILED');
    expect(badBatch.code).toBe('VALIDATION_FAILED');
    expect(badBatch.message).toMatch(/batchSize/);
    model.dispose();
  });
});
