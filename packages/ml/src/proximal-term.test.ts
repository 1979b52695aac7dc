import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from '@shoal/protocol';
import { describe, expect, it } from 'vitest';
import { buildPresetModel } from './presets.js';
import { sameTensors, shoalErrorFrom, syntheticExamples, useBackend } from './testing/test-support.js';
import { modelFromTopology } from './topology.js';
import { trainLocal, type TrainOptions } from './train-local.js';
import { getWeights, setWeights } from './weights.js';

const OPTIONS: TrainOptions = { epochs: 2, batchSize: 16, learningRate: 0.1, seed: 3 };

function distance(a: readonly NamedTensor[], b: readonly NamedTensor[]): number {
  let sum = 0;
  a.forEach((tensor, t) => tensor.values.forEach((value, i) => (sum += (value - b[t]!.values[i]!) ** 2)));
  return Math.sqrt(sum);
}

async function tinyModel(): Promise<tf.LayersModel> {
  return modelFromTopology({
    class_name: 'Sequential',
    config: { name: 'tiny', layers: [{ class_name: 'Dense', config: { units: 3, activation: 'softmax', name: 'classify', batch_input_shape: [null, 6] } }] },
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`trainLocal with proximalMu on ${backend}`, () => {
    const data = syntheticExamples(64, [784], 21);
    const trainFromGlobal = async (options: Partial<TrainOptions>) => {
      await useBackend(backend);
      const model = buildPresetModel('mnist-2nn', { seed: 4 });
      const global = getWeights(model);
      await trainLocal(model, data, { ...OPTIONS, ...options });
      const trained = getWeights(model);
      model.dispose();
      return { drift: distance(trained, global), trained };
    };

    it('drifts strictly less from the global weights for μ > 0, less the larger μ', async () => {
      const plain = await trainFromGlobal({});
      const mild = await trainFromGlobal({ proximalMu: 1 });
      const strong = await trainFromGlobal({ proximalMu: 5 });

      expect(plain.drift).toBeGreaterThan(0);
      expect(mild.drift).toBeLessThan(plain.drift);
      expect(strong.drift).toBeLessThan(mild.drift);
    });

    it('trains exactly as without the term when μ = 0', async () => {
      const without = await trainFromGlobal({});
      const zero = await trainFromGlobal({ proximalMu: 0 });

      expect(sameTensors(zero.trained, without.trained)).toBe(true);
    });

    it('leaks no tensors', async () => {
      await useBackend(backend);
      const model = buildPresetModel('mnist-2nn', { seed: 4 });
      const before = tf.memory().numTensors;

      await trainLocal(model, data, { ...OPTIONS, proximalMu: 0.5 });

      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

    it('takes the exact SGD step: w₂ = (the step without the term) − η·μ·(w₁ − w_global)', async () => {
      await useBackend(backend);
      const small = syntheticExamples(12, [6], 22, 3);
      const shapeOf = await tinyModel();
      const start = getWeights(shapeOf).map((tensor, t) => ({ ...tensor, values: tensor.values.map((_, i) => 0.1 * Math.sin(7 * t + i)) }));
      shapeOf.dispose();
      // One batch per epoch: epoch 1 starts at w_global, where the pull is zero, so both runs reach the same w₁.
      const weightsAfter = async (epochs: number, proximalMu: number) => {
        const model = await tinyModel();
        setWeights(model, start);
        await trainLocal(model, small, { epochs, batchSize: 12, learningRate: 0.5, seed: 5, proximalMu });
        const weights = getWeights(model);
        model.dispose();
        return weights;
      };
      const mu = 0.4;

      const first = await weightsAfter(1, 0);
      const plain = await weightsAfter(2, 0);
      const proximal = await weightsAfter(2, mu);

      proximal.forEach((tensor, t) =>
        tensor.values.forEach((value, i) => {
          const pull = 0.5 * mu * (first[t]!.values[i]! - start[t]!.values[i]!);
          expect(Math.abs(plain[t]!.values[i]! - value - pull)).toBeLessThan(1e-6);
        }),
      );
      expect(distance(first, start)).toBeGreaterThan(0.01);
    });
  });
}

describe('proximalMu validation', () => {
  const BAD: [string, Partial<TrainOptions>, RegExp][] = [
    ['a negative μ', { proximalMu: -0.1 }, /proximalMu must be a non-negative finite number/],
    ['an infinite μ', { proximalMu: Number.POSITIVE_INFINITY }, /proximalMu/],
    ['η·μ at which SGD on the term diverges', { learningRate: 0.5, proximalMu: 4 }, /learningRate · proximalMu is 2; .*below 2/],
  ];

  for (const [name, options, message] of BAD) {
    it(`refuses ${name} with VALIDATION_FAILED`, async () => {
      await useBackend('wasm');
      const model = buildPresetModel('mnist-2nn');

      const error = await shoalErrorFrom(() => trainLocal(model, syntheticExamples(4, [784], 23), { ...OPTIONS, ...options }));

      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(message);
      model.dispose();
    });
  }
});
