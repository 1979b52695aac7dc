import { beforeAll, describe, expect, it } from 'vitest';
import { buildPresetModel } from '../presets.js';
import { relativeError, syntheticExamples, useBackend } from '../testing/test-support.js';
import { trainLocal } from '../train-local.js';
import { getWeights } from '../weights.js';

describe('training convnets on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('runs a training step of the CNN preset with no missing kernel, changing every weight tensor', async () => {
    await useBackend('wasm');
    const model = buildPresetModel('mnist-cnn', { seed: 5 });
    const data = syntheticExamples(16, [28, 28, 1], 6);
    const before = getWeights(model);

    const result = await trainLocal(model, data, { epochs: 1, batchSize: 16, learningRate: 0.1, seed: 1 });

    const after = getWeights(model);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.numExamples).toBe(16);
    for (const [index, tensor] of after.entries()) {
      const changed = tensor.values.some((value, i) => value !== before[index]!.values[i]);
      expect(changed, `${tensor.name} changed`).toBe(true);
      expect(tensor.values.every(Number.isFinite), `${tensor.name} is finite`).toBe(true);
    }
    model.dispose();
  });

  it('computes the same CNN update as the cpu backend', async () => {
    const data = syntheticExamples(2, [28, 28, 1], 7);
    const stepOn = async (backend: 'cpu' | 'wasm') => {
      await useBackend(backend);
      const model = buildPresetModel('mnist-cnn', { seed: 8 });
      await trainLocal(model, data, { epochs: 1, batchSize: 2, learningRate: 0.5, seed: 2 });
      const weights = getWeights(model);
      model.dispose();
      return weights;
    };

    const expected = await stepOn('cpu');
    const actual = await stepOn('wasm');

    for (const [index, tensor] of actual.entries()) {
      expect(relativeError(tensor.values, expected[index]!.values), tensor.name).toBeLessThan(1e-4);
    }
  });
});
