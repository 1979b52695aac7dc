import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedTensor } from '@shoal/protocol';
import { getWeights, initBackend, modelFromTopology, modelToTopology, predict, setWeights } from '@shoal/ml';
import { shrinkUnits } from './unit-shrinking.js';

type Topology = Record<string, unknown>;

/** A conv → pool → conv → flatten → dense → softmax model with seeded random weights (biases too). */
function smallConvNet(): { topology: Topology; tensors: NamedTensor[] } {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: [6, 6, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
      tf.layers.conv2d({ name: 'conv2', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc', units: 8, activation: 'relu' }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }),
    ],
  });
  let state = 7;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  const tensors = getWeights(model).map((tensor) => ({ ...tensor, values: Float32Array.from(tensor.values, () => next()) }));
  const topology = modelToTopology(model) as Topology;
  model.dispose();
  return { topology, tensors };
}

async function outputs(topology: Topology, tensors: NamedTensor[], inputs: Float32Array, count: number): Promise<Float32Array> {
  const model = await modelFromTopology(topology);
  setWeights(model, tensors);
  const { probabilities } = predict(model, inputs, count);
  model.dispose();
  return probabilities;
}

beforeAll(async () => {
  await initBackend({ log: () => undefined });
});

describe('shrinkUnits', () => {
  it('computes exactly what the full model computes with the dropped channels zeroed, in fewer parameters', async () => {
    const { topology, tensors } = smallConvNet();
    const inputs = Float32Array.from({ length: 5 * 36 }, (_, i) => Math.sin(i * 0.37));

    const shrunk = shrinkUnits(topology, tensors, 0.5);

    expect(shrunk.layers.map(({ name, before, after }) => [name, before, after])).toEqual([['conv1', 4, 2], ['conv2', 6, 3], ['fc', 8, 4]]);
    const zeroed = tensors.map((tensor) => {
      const layer = shrunk.layers.find((entry) => tensor.name.startsWith(`${entry.name}/`));
      if (layer === undefined) return tensor;
      const channels = tensor.shape.at(-1)!;
      return { ...tensor, values: tensor.values.map((value, i) => (layer.kept.includes(i % channels) ? value : 0)) };
    });
    const expected = await outputs(topology, zeroed, inputs, 5);
    const actual = await outputs(shrunk.topology, shrunk.tensors, inputs, 5);
    Array.from(actual).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    const count = (list: NamedTensor[]) => list.reduce((sum, tensor) => sum + tensor.values.length, 0);
    expect(count(shrunk.tensors)).toBeLessThan(count(tensors) / 2);
    expect(shrunk.tensors.find((tensor) => tensor.name === 'fc/kernel')!.shape).toEqual([3 * 3 * 3, 4]);
  });

  it('keeps the channels of largest L2 norm and never shrinks the output layer', () => {
    const topology = { class_name: 'Sequential', config: { name: 'mlp', layers: [
      { class_name: 'Dense', config: { name: 'hidden', units: 3, batch_input_shape: [null, 2] } },
      { class_name: 'Dense', config: { name: 'out', units: 2, activation: 'softmax' } },
    ] } };
    const tensors: NamedTensor[] = [
      { name: 'hidden/kernel', shape: [2, 3], values: Float32Array.of(1, 0.1, 5, 1, 0.1, 5) },
      { name: 'hidden/bias', shape: [3], values: Float32Array.of(1, 2, 3) },
      { name: 'out/kernel', shape: [3, 2], values: Float32Array.of(1, 2, 3, 4, 5, 6) },
      { name: 'out/bias', shape: [2], values: Float32Array.of(0, 0) },
    ];

    const shrunk = shrinkUnits(topology, tensors, 0.34);

    expect(shrunk.layers).toEqual([{ name: 'hidden', before: 3, after: 2, kept: [0, 2] }]);
    expect(shrunk.tensors.map((tensor) => [tensor.name, tensor.shape, Array.from(tensor.values)])).toEqual([
      ['hidden/kernel', [2, 2], [1, 5, 1, 5]],
      ['hidden/bias', [2], [1, 3]],
      ['out/kernel', [2, 2], [1, 2, 5, 6]],
      ['out/bias', [2], [0, 0]],
    ]);
    expect(topology.config.layers[0]!.config.units).toBe(3);
  });

  it('refuses what it cannot trace with NOT_IMPLEMENTED, and a fraction outside [0, 1)', () => {
    expect(() => shrinkUnits({ class_name: 'Functional', config: { layers: [] } }, [], 0.5)).toThrow(expect.objectContaining({ code: 'NOT_IMPLEMENTED' }));
    expect(() => shrinkUnits(smallConvNet().topology, [], 1)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
