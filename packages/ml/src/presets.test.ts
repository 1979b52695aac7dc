import { beforeAll, describe, expect, it } from 'vitest';
import { PRESETS, buildPresetModel, type PresetName } from './presets.js';
import { sameTensors, shoalErrorFrom, useBackend } from './testing/test-support.js';
import { getWeights } from './weights.js';

describe('model presets', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('builds the 2NN with 199,210 parameters and stable layer names', () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });

    expect(model.countParams()).toBe(199_210);
    expect(PRESETS['mnist-2nn'].parameterCount).toBe(199_210);
    expect(model.layers.map((layer) => layer.name)).toEqual(['fc1', 'fc2', 'output']);
    expect(model.inputs[0]!.shape).toEqual([null, 784]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  it('builds the CNN with 1,663,370 parameters and stable layer names', () => {
    const model = buildPresetModel('mnist-cnn', { seed: 1 });

    expect(model.countParams()).toBe(1_663_370);
    expect(PRESETS['mnist-cnn'].parameterCount).toBe(1_663_370);
    expect(model.layers.map((layer) => layer.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'output']);
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  for (const name of Object.keys(PRESETS) as PresetName[]) {
    it(`gives ${name} the same weights for the same seed and different ones otherwise`, () => {
      const [a, b, c] = [1, 1, 2].map((seed) => buildPresetModel(name, { seed }));

      const [wa, wb, wc] = [a!, b!, c!].map((model) => getWeights(model));

      expect(sameTensors(wa!, wb!)).toBe(true);
      expect(wa!.map((t) => t.name)).toEqual(wc!.map((t) => t.name));
      expect(sameTensors(wa!, wc!)).toBe(false);
      [a, b, c].forEach((model) => model!.dispose());
    });
  }

  it('does not start two same-shaped layers identical', () => {
    const model = buildPresetModel('mnist-2nn', { seed: 3 });
    const weights = getWeights(model);
    const kernel = (name: string) => weights.find((t) => t.name === name)!.values;

    expect(Array.from(kernel('fc1/kernel').subarray(0, 50))).not.toEqual(Array.from(kernel('fc2/kernel').subarray(0, 50)));
    model.dispose();
  });

  it('refuses an unknown preset and a non-integer seed', async () => {
    const unknown = await shoalErrorFrom(() => buildPresetModel('mnist-rnn' as PresetName));
    const badSeed = await shoalErrorFrom(() => buildPresetModel('mnist-2nn', { seed: 1.5 }));

    expect(unknown.code).toBe('UNSUPPORTED_MODEL');
    expect(unknown.message).toContain('mnist-2nn, mnist-cnn');
    expect(badSeed.code).toBe('VALIDATION_FAILED');
  });
});
