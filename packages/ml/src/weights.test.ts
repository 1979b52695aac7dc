import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from '@shoal/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPresetModel } from './presets.js';
import { predict } from './predict.js';
import { randomValues, sameTensors, shoalErrorFrom, useBackend } from './testing/test-support.js';
import { getWeights, setWeights, weightSpecs } from './weights.js';

describe('weights', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('names weights identically for two instances of one architecture, though tfjs suffixes the variables', () => {
    const first = buildPresetModel('mnist-2nn');
    const second = buildPresetModel('mnist-2nn');

    const specs = weightSpecs(first);

    expect(weightSpecs(second)).toEqual(specs);
    expect(specs).toEqual([
      { name: 'fc1/kernel', shape: [784, 200] },
      { name: 'fc1/bias', shape: [200] },
      { name: 'fc2/kernel', shape: [200, 200] },
      { name: 'fc2/bias', shape: [200] },
      { name: 'output/kernel', shape: [200, 10] },
      { name: 'output/bias', shape: [10] },
    ]);
    expect(second.weights[0]!.name).not.toBe(first.weights[0]!.name);
    first.dispose();
    second.dispose();
  });

  it('hands out copies', () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });
    const weights = getWeights(model);
    const original = weights[0]!.values[0]!;

    weights[0]!.values[0] = original + 100;

    expect(getWeights(model)[0]!.values[0]).toBe(original);
    model.dispose();
  });

  it('moves one model\'s weights into another, which then predicts the same', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      const source = buildPresetModel('mnist-2nn', { seed: 1 });
      const target = buildPresetModel('mnist-2nn', { seed: 2 });
      const inputs = randomValues(3 * 784, 3);

      setWeights(target, getWeights(source));

      expect(predict(target, inputs, 3).probabilities).toEqual(predict(source, inputs, 3).probabilities);
      source.dispose();
      target.dispose();
    }
    await useBackend('wasm');
  });

  it('keeps its own copy of the values it is given', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const model = buildPresetModel('mnist-2nn', { seed: 1 });
      const update = getWeights(model);
      update[1]!.values.fill(0.5);

      setWeights(model, update);
      update[1]!.values.fill(-7);

      expect(getWeights(model)[1]!.values.every((value) => value === 0.5)).toBe(true);
      model.dispose();
    }
  });

  it('leaks no tensors', () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });
    const weights = getWeights(model);
    const before = tf.memory().numTensors;

    setWeights(model, weights);
    getWeights(model);

    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  const BAD_UPDATES: { name: string; edit: (tensors: NamedTensor[]) => NamedTensor[]; message: RegExp; tensor?: string }[] = [
    { name: 'a missing tensor', edit: (t) => t.slice(1), message: /has 6 weight tensors, got 5/ },
    { name: 'a renamed tensor', edit: (t) => t.map((x, i) => (i === 2 ? { ...x, name: 'fc9/kernel' } : x)), message: /'fc2\/kernel', got 'fc9\/kernel'/, tensor: 'fc2/kernel' },
    { name: 'a reshaped tensor', edit: (t) => t.map((x, i) => (i === 2 ? { ...x, shape: [100, 400] } : x)), message: /'fc2\/kernel' has shape \[200, 200\], got \[100, 400\]/, tensor: 'fc2/kernel' },
    { name: 'a short value array', edit: (t) => t.map((x, i) => (i === 5 ? { ...x, values: new Float32Array(9) } : x)), message: /'output\/bias' needs 10 float32 values, got 9/, tensor: 'output/bias' },
  ];

  for (const bad of BAD_UPDATES) {
    it(`refuses ${bad.name} with SHAPE_MISMATCH and changes nothing`, async () => {
      const model = buildPresetModel('mnist-2nn', { seed: 1 });
      const before = getWeights(model);
      const update = getWeights(buildPresetModel('mnist-2nn', { seed: 2 }));

      const error = await shoalErrorFrom(() => setWeights(model, bad.edit(update)));

      expect(error.code).toBe('SHAPE_MISMATCH');
      expect(error.message).toMatch(bad.message);
      if (bad.tensor !== undefined) expect(error.details).toEqual({ tensor: bad.tensor });
      expect(sameTensors(getWeights(model), before)).toBe(true);
      model.dispose();
    });
  }
});
