/** Worker thread that builds edge artifacts on server-held MNIST (test split held out, train split for distillation). */
import { decodeFrame } from '@shoal/codec';
import { loadMnist } from '@shoal/data';
import { buildEdgeArtifact } from '@shoal/edge';
import { buildPresetModel, initBackend, modelToTopology } from '@shoal/ml';
import type { ModelSource } from '@shoal/protocol';
import type { ArtifactBuildRequest, ArtifactBuildResult } from '../models/edge-artifacts.js';
import { answerRequests } from './worker-rpc.js';

let ready: ReturnType<typeof initBackend> | undefined;

function studentTopology(source: ModelSource): Record<string, unknown> {
  if ('topology' in source) return source.topology;
  const model = buildPresetModel(source.preset, { seed: 1 });
  try {
    return modelToTopology(model) as Record<string, unknown>;
  } finally {
    model.dispose();
  }
}

answerRequests(async (request: ArtifactBuildRequest & { id: number }): Promise<ArtifactBuildResult> => {
  ready ??= initBackend({ log: () => undefined });
  const backend = await ready;
  const started = performance.now();
  const { settings } = request;
  const weights = decodeFrame(new Uint8Array(request.weights), { expectedKind: 'weights' }).tensors;
  const transfer = settings.distill !== undefined || settings.fineTuneEpochs > 0;
  const artifact = await buildEdgeArtifact(
    {
      topology: request.topology,
      weights,
      heldOut: loadMnist('test', { limit: settings.heldOutExamples }),
      ...(transfer ? { transferData: loadMnist('train', { limit: settings.transferExamples }) } : {}),
    },
    {
      minAccuracy: settings.minAccuracy,
      sparsity: settings.sparsity,
      structuredFractions: settings.structuredFractions,
      fineTuneEpochs: settings.fineTuneEpochs,
      quantization: settings.quantization,
      latencySamples: settings.latencySamples,
      ...(settings.distill === undefined ? {} : { distill: { ...settings.distill, student: studentTopology(settings.distill.student) } }),
    },
  );
  return { artifact, backend: backend.name, buildMs: performance.now() - started };
});
