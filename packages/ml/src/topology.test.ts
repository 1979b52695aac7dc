import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPresetModel, type PresetName } from './presets.js';
import { predict } from './predict.js';
import { randomValues, shoalErrorFrom, useBackend } from './testing/test-support.js';
import { modelFromTopology, modelToTopology } from './topology.js';
import { getWeights, setWeights, weightSpecs } from './weights.js';

function sequentialTopology(layers: object[]): object {
  return { class_name: 'Sequential', config: { name: 'custom', layers } };
}

const denseInput = { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', name: 'in' } };

describe('model topologies', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const name of ['mnist-2nn', 'mnist-cnn'] as PresetName[]) {
    it(`round-trips the ${name} preset through plain JSON`, async () => {
      const original = buildPresetModel(name, { seed: 1 });
      const json: unknown = JSON.parse(JSON.stringify(modelToTopology(original)));

      const rebuilt = await modelFromTopology(json);
      setWeights(rebuilt, getWeights(original));

      expect(json).toMatchObject({ class_name: 'Sequential' });
      expect(weightSpecs(rebuilt)).toEqual(weightSpecs(original));
      expect(rebuilt.countParams()).toBe(original.countParams());
      const inputs = randomValues(2 * 784, 2);
      expect(predict(rebuilt, inputs, 2).probabilities).toEqual(predict(original, inputs, 2).probabilities);
      original.dispose();
      rebuilt.dispose();
    });
  }

  it('accepts a tfjs model.json, ignoring its weight manifest (weights come over the protocol)', async () => {
    const topology = modelToTopology(buildPresetModel('mnist-2nn'));
    const modelJson = {
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      modelTopology: topology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    };

    const model = await modelFromTopology(modelJson);

    expect(model.countParams()).toBe(199_210);
    model.dispose();
  });

  it('accepts a Keras export that wraps the topology in model_config', async () => {
    const keras = { modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: modelToTopology(buildPresetModel('mnist-2nn')) } };

    const model = await modelFromTopology(keras);

    expect(weightSpecs(model).map((spec) => spec.name)).toContain('fc1/kernel');
    model.dispose();
  });

  it('accepts a functional model ending in a Softmax layer', async () => {
    const input = tf.input({ shape: [6], name: 'features' });
    const hidden = tf.layers.dense({ units: 5, activation: 'tanh', name: 'hidden' }).apply(input) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 3, name: 'logits' }).apply(hidden) as tf.SymbolicTensor;
    const probabilities = tf.layers.softmax({ name: 'probabilities' }).apply(logits) as tf.SymbolicTensor;
    const functional = tf.model({ inputs: input, outputs: probabilities, name: 'functional' });

    const model = await modelFromTopology(JSON.parse(JSON.stringify(modelToTopology(functional))));

    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    expect(weightSpecs(model)).toEqual(weightSpecs(functional));
    model.dispose();
    functional.dispose();
  });

  const REJECTED: { name: string; json: unknown; message: RegExp }[] = [
    { name: 'null', json: null, message: /must be a JSON object/ },
    { name: 'a string', json: 'Sequential', message: /must be a JSON object/ },
    { name: 'an array', json: [denseInput], message: /must be a JSON object/ },
    { name: 'an object without class_name', json: { config: {} }, message: /class_name must be one of Sequential, Model, Functional/ },
    { name: 'a non-model class', json: { class_name: 'Dense', config: { units: 3 } }, message: /got "Dense"/ },
    { name: 'a topology without config', json: { class_name: 'Sequential' }, message: /has no config object/ },
    { name: 'a graph model', json: { format: 'graph-model', modelTopology: { node: [] } }, message: /Graph models cannot be trained/ },
    {
      name: 'an unknown layer class',
      json: sequentialTopology([denseInput, { class_name: 'QuantumDense', config: { units: 3, name: 'q' } }]),
      message: /layer classes this runtime does not provide: QuantumDense/,
    },
    {
      name: 'a config tfjs cannot build',
      json: sequentialTopology([{ class_name: 'Dense', config: { units: 3, activation: 'no-such-activation', name: 'd', batch_input_shape: [null, 4] } }]),
      message: /cannot be built from its topology: .*no-such-activation/i,
    },
    {
      name: 'a model without a softmax output',
      json: sequentialTopology([{ class_name: 'Dense', config: { units: 3, activation: 'linear', name: 'regression', batch_input_shape: [null, 4] } }]),
      message: /output layer 'regression' has no softmax activation/,
    },
  ];

  for (const rejected of REJECTED) {
    it(`refuses ${rejected.name} with UNSUPPORTED_MODEL`, async () => {
      const error = await shoalErrorFrom(() => modelFromTopology(rejected.json));

      expect(error.code).toBe('UNSUPPORTED_MODEL');
      expect(error.message).toMatch(rejected.message);
    });
  }

  it('builds a small custom softmax classifier', async () => {
    const json = sequentialTopology([{ class_name: 'Dense', config: { units: 3, activation: 'softmax', name: 'classify', batch_input_shape: [null, 4] } }]);

    const model = await modelFromTopology(json);

    expect(weightSpecs(model)).toEqual([
      { name: 'classify/kernel', shape: [4, 3] },
      { name: 'classify/bias', shape: [3] },
    ]);
    model.dispose();
  });
});

describe('seeded topology models', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const topology = sequentialTopology([denseInput, { class_name: 'Dense', config: { units: 8, activation: 'relu', name: 'hidden' } }, { class_name: 'Dense', config: { units: 3, activation: 'softmax', name: 'out' } }]);

  it('gives the same initial weights for the same seed, other weights for another seed, and keeps explicit seeds', async () => {
    const build = async (seed?: number) => {
      const model = await modelFromTopology(topology, seed === undefined ? {} : { seed });
      const weights = getWeights(model).map((tensor) => Array.from(tensor.values));
      model.dispose();
      return weights;
    };
    const [a, b, c] = [await build(5), await build(5), await build(6)];

    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    expect(a[0]!.some((value) => value !== 0)).toBe(true);
    expect(a[1]!.every((value) => value === 0)).toBe(true); // biases keep their zeros initializer
  });
});
