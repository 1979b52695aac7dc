import * as tf from '@tensorflow/tfjs';
import type { LabeledExamples } from '@shoal/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from './evaluate.js';
import { buildPresetModel } from './presets.js';
import { sameTensors, shoalErrorFrom, syntheticExamples, useBackend } from './testing/test-support.js';
import { modelFromTopology } from './topology.js';
import { trainLocal, type TrainOptions } from './train-local.js';
import { getWeights } from './weights.js';

const OPTIONS: TrainOptions = { epochs: 1, batchSize: 16, learningRate: 0.1, seed: 1 };

describe('trainLocal', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('learns a separable task with the 2NN, reporting last-epoch means', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });
    const train = syntheticExamples(240, [784], 1);
    const test = syntheticExamples(100, [784], 2);
    const untrained = await evaluateModel(model, test);

    const first = await trainLocal(model, train, { ...OPTIONS, epochs: 1 });
    const later = await trainLocal(model, train, { ...OPTIONS, epochs: 3 });
    const trained = await evaluateModel(model, test);

    expect(first.numExamples).toBe(240);
    expect(later.loss).toBeLessThan(first.loss);
    expect(later.accuracy).toBeGreaterThan(0.9);
    expect(trained.accuracy).toBeGreaterThan(0.9);
    expect(trained.loss).toBeLessThan(untrained.loss / 4);
    expect(later.durationMs).toBeGreaterThan(0);
    model.dispose();
  });

  it('is reproducible for a seed, and shuffles differently for another', async () => {
    const data = syntheticExamples(64, [784], 3);
    const trainWith = async (seed: number) => {
      const model = buildPresetModel('mnist-2nn', { seed: 9 });
      const result = await trainLocal(model, data, { ...OPTIONS, epochs: 2, seed });
      const weights = getWeights(model);
      model.dispose();
      return { result, weights };
    };

    const a = await trainWith(1);
    const b = await trainWith(1);
    const c = await trainWith(2);

    expect(sameTensors(a.weights, b.weights)).toBe(true);
    expect(a.result.loss).toBe(b.result.loss);
    expect(sameTensors(a.weights, c.weights)).toBe(false);
  });

  it('applies exactly the learning rate of each call (a fresh SGD optimizer per call)', async () => {
    const data = syntheticExamples(8, [784], 4);
    const deltaFor = async (learningRate: number) => {
      const model = buildPresetModel('mnist-2nn', { seed: 2 });
      await trainLocal(model, data, { epochs: 1, batchSize: 100, learningRate: 0.5 }); // compiled once before
      const before = getWeights(model);
      await trainLocal(model, data, { epochs: 1, batchSize: 8, learningRate });
      const after = getWeights(model);
      model.dispose();
      return after[5]!.values.map((value, i) => value - before[5]!.values[i]!);
    };

    const small = await deltaFor(0.01);
    const large = await deltaFor(0.1);

    const ratios = Array.from(large).map((value, i) => value / small[i]!);
    expect(Math.min(...ratios)).toBeGreaterThan(9.9);
    expect(Math.max(...ratios)).toBeLessThan(10.1);
  });

  it('reshapes features to the model input: MNIST-shaped [28, 28, 1] examples train the 2NN and flat ones the CNN', async () => {
    const mlp = buildPresetModel('mnist-2nn', { seed: 1 });
    const cnn = buildPresetModel('mnist-cnn', { seed: 1 });

    const flat = await trainLocal(mlp, syntheticExamples(16, [28, 28, 1], 5), OPTIONS);
    const image = await trainLocal(cnn, syntheticExamples(8, [784], 5), { ...OPTIONS, batchSize: 8 });

    expect(Number.isFinite(flat.loss)).toBe(true);
    expect(Number.isFinite(image.loss)).toBe(true);
    mlp.dispose();
    cnn.dispose();
  });

  it('trains on at most maxExamples', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });

    const result = await trainLocal(model, syntheticExamples(50, [784], 6), { ...OPTIONS, maxExamples: 20 });

    expect(result.numExamples).toBe(20);
    model.dispose();
  });

  it('leaks no tensors', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });
    const data = syntheticExamples(40, [784], 7);
    const before = tf.memory().numTensors;

    await trainLocal(model, data, { ...OPTIONS, epochs: 2 });
    await trainLocal(model, data, { ...OPTIONS, learningRate: 0.05 });

    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('lets timers run between batches', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);

    await trainLocal(model, syntheticExamples(160, [784], 8), { ...OPTIONS, batchSize: 10 });
    clearInterval(timer);

    expect(ticks).toBeGreaterThanOrEqual(8); // 16 batches, a timer turn after each
    model.dispose();
  });

  const BAD_OPTIONS: [string, Partial<TrainOptions>, RegExp][] = [
    ['zero epochs', { epochs: 0 }, /epochs must be a positive integer/],
    ['a fractional batch size', { batchSize: 2.5 }, /batchSize must be a positive integer/],
    ['a negative learning rate', { learningRate: -0.1 }, /learningRate must be a positive finite number/],
    ['a NaN learning rate', { learningRate: Number.NaN }, /learningRate/],
    ['a fractional seed', { seed: 0.5 }, /seed must be an integer/],
    ['zero maxExamples', { maxExamples: 0 }, /maxExamples must be a positive integer/],
  ];

  for (const [name, options, message] of BAD_OPTIONS) {
    it(`refuses ${name} with VALIDATION_FAILED`, async () => {
      const model = buildPresetModel('mnist-2nn');

      const error = await shoalErrorFrom(() => trainLocal(model, syntheticExamples(4, [784], 9), { ...OPTIONS, ...options }));

      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(message);
      model.dispose();
    });
  }

  const BAD_DATA: [string, (data: LabeledExamples) => LabeledExamples, string, RegExp][] = [
    ['examples of the wrong size', (d) => ({ ...d, featureShape: [10], features: new Float32Array(d.count * 10) }), 'SHAPE_MISMATCH', /\[10\] do not fit the model input \[784\]/],
    ['a different class count', (d) => ({ ...d, numClasses: 5 }), 'SHAPE_MISMATCH', /5 classes but the model outputs 10/],
    ['a label out of range', (d) => ({ ...d, labels: Uint8Array.from([1, 2, 12, 3]) }), 'VALIDATION_FAILED', /Label 12 of example 2/],
    ['too few feature values', (d) => ({ ...d, features: d.features.subarray(1) }), 'VALIDATION_FAILED', /data.features has 3135 values/],
    ['no examples', (d) => ({ ...d, count: 0, features: new Float32Array(0), labels: new Uint8Array(0) }), 'VALIDATION_FAILED', /no examples/],
  ];

  for (const [name, edit, code, message] of BAD_DATA) {
    it(`refuses ${name}`, async () => {
      const model = buildPresetModel('mnist-2nn');

      const error = await shoalErrorFrom(() => trainLocal(model, edit(syntheticExamples(4, [784], 10)), OPTIONS));

      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      model.dispose();
    });
  }

  it('refuses a model without a softmax output', async () => {
    const regression = tf.sequential({ layers: [tf.layers.dense({ units: 10, inputShape: [784], name: 'linear_out' })] });

    const error = await shoalErrorFrom(() => trainLocal(regression, syntheticExamples(4, [784], 11), OPTIONS));

    expect(error.code).toBe('UNSUPPORTED_MODEL');
    expect(error.message).toMatch(/no softmax activation/);
    regression.dispose();
  });

  it('trains a custom model from a topology', async () => {
    const model = await modelFromTopology({
      class_name: 'Sequential',
      config: { name: 'tiny', layers: [{ class_name: 'Dense', config: { units: 3, activation: 'softmax', name: 'classify', batch_input_shape: [null, 6] } }] },
    });

    const result = await trainLocal(model, syntheticExamples(30, [6], 12, 3), { ...OPTIONS, epochs: 20, learningRate: 0.5 });

    expect(result.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });
});
