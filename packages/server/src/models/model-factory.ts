/** Builds a job's model once at creation: its topology, tensor specs and initial weights. */
import { ShoalError, type NamedTensor, type TensorSpec } from '@shoal/protocol';
import { decodeFrame, type CodecRegistry } from '@shoal/codec';
import { buildPresetModel, getWeights, modelFromTopology, modelToTopology, weightSpecs } from '@shoal/ml';
import type { JobConfig } from '../jobs/job-config.js';

export interface PreparedModel {
  topology: Record<string, unknown>;
  tensorSpecs: TensorSpec[];
  initialWeights: NamedTensor[];
}

export async function prepareModel(config: JobConfig, initialWeightsBase64: string | undefined, registry: CodecRegistry): Promise<PreparedModel> {
  const model = 'preset' in config.model ? buildPresetModel(config.model.preset, { seed: config.seed }) : await modelFromTopology(config.model.topology, { seed: config.seed });
  try {
    const tensorSpecs = weightSpecs(model);
    const topology = modelToTopology(model) as Record<string, unknown>;
    let initialWeights = getWeights(model);
    if (initialWeightsBase64 !== undefined) {
      const bytes = Buffer.from(initialWeightsBase64, 'base64');
      try {
        initialWeights = decodeFrame(bytes, { registry, expected: tensorSpecs, expectedKind: 'weights' }).tensors;
      } catch (error) {
        const cause = ShoalError.from(error);
        throw new ShoalError(cause.code, `initialWeights: ${cause.message}`, {
          cause,
          details: { problems: [{ field: '/initialWeights', message: cause.message }] },
        });
      }
    }
    return { topology, tensorSpecs, initialWeights };
  } finally {
    model.dispose();
  }
}
