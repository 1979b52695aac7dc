import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { decodeFrame } from '@shoal/codec';
import { buildPresetModel, weightSpecs } from '@shoal/ml';
import { ModelFileError, readModelFiles } from './tfjs-model-files.js';

/** What a browser user would upload: tfjs's own model.json and weights file for a model. */
async function savedFiles(model: tf.LayersModel): Promise<{ modelJson: File; weights: File }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (saved) => ((artifacts = saved), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const modelJson = { format: 'layers-model', modelTopology: artifacts!.modelTopology, weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts!.weightSpecs! }] };
  return { modelJson: new File([JSON.stringify(modelJson)], 'model.json'), weights: new File([artifacts!.weightData as ArrayBuffer], 'weights.bin') };
}

describe('uploaded tfjs model files', () => {
  it('become a topology and an initial weights frame in the model\'s own tensor order', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 7 });
    const { modelJson, weights } = await savedFiles(model);
    const parsed = await readModelFiles(modelJson, [weights]);
    expect(parsed.parameters).toBe(199_210);
    expect(parsed.topology).not.toHaveProperty('weightsManifest');
    const frame = decodeFrame(Buffer.from(parsed.initialWeights!, 'base64'), { expected: weightSpecs(model), expectedKind: 'weights' });
    const kernel = model.getWeights()[0]!.dataSync();
    expect(frame.tensors[0]!.values.subarray(0, 5)).toEqual(Float32Array.from(kernel.subarray(0, 5)));
    model.dispose();
  });

  it('name the file at fault', async () => {
    const model = buildPresetModel('mnist-2nn', { seed: 1 });
    const { modelJson, weights } = await savedFiles(model);
    model.dispose();
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as ModelFileError);
    expect(await refusal(readModelFiles(new File(['{"nope": 1}'], 'model.json'), []))).toMatchObject({ input: 'topology', message: expect.stringContaining('no modelTopology') });
    expect(await refusal(readModelFiles(new File(['not json'], 'model.json'), []))).toMatchObject({ input: 'topology' });
    expect(await refusal(readModelFiles(modelJson, [new File([weights], 'other.bin')]))).toMatchObject({ input: 'weights', message: expect.stringContaining('weights.bin') });
    expect(await refusal(readModelFiles(modelJson, [new File([(await weights.arrayBuffer()).slice(0, 1000)], 'weights.bin')]))).toMatchObject({ input: 'weights', message: expect.stringContaining('end before') });
    expect(await readModelFiles(modelJson, [])).toMatchObject({ initialWeights: undefined, tensors: 6 });
  });
});
