/**
 * A model version made ready for serving: downloaded (topology and a weights frame, in any registered codec), built,
 * and warmed up with one prediction, so the first real request does not pay for kernel compilation.
 */
import { ShoalError, type ServingAssign } from '@shoal/protocol';
import { decodeFrame, type CodecRegistry } from '@shoal/codec';
import { classifierShape, modelFromTopology, predict, setWeights, weightSpecs } from '@shoal/ml';
import type { CoordinatorHttp } from './coordinator-http.js';

export type ServingModel = Awaited<ReturnType<typeof modelFromTopology>>;

/** Which model a served version is: enough to tell two assignments apart and to label telemetry. */
export interface ServedIdentity {
  deploymentId: string;
  jobId: string;
  version: number;
  artifactId?: string;
}

export interface ServedVersion extends ServedIdentity {
  model: ServingModel;
  inputShape: number[];
  featureSize: number;
  numClasses: number;
  /** When it started serving (ms since the epoch). */
  servedSince: number;
}

/** Checks the model, warms it up and describes it; the caller then swaps it in. */
export function prepareServedVersion(model: ServingModel, identity: ServedIdentity): ServedVersion {
  const { inputShape, numClasses } = classifierShape(model);
  const featureSize = inputShape.reduce((product, extent) => product * extent, 1);
  predict(model, new Float32Array(featureSize), 1);
  return { ...identity, model, inputShape, featureSize, numClasses, servedSince: Date.now() };
}

/** Downloads and builds the assigned version; the model is disposed again if anything fails. */
export async function downloadServedVersion(http: Pick<CoordinatorHttp, 'json' | 'bytes'>, codecs: CodecRegistry, assignment: ServingAssign): Promise<ServedVersion> {
  const document = await http.json(assignment.modelUrl);
  const frame = await http.bytes(assignment.weightsUrl);
  const model = await modelFromTopology(document);
  try {
    const { tensors } = decodeFrame(frame, { registry: codecs, expected: weightSpecs(model), expectedKind: 'weights' });
    setWeights(model, tensors);
    const { deploymentId, jobId, version, artifactId } = assignment;
    return prepareServedVersion(model, { deploymentId, jobId, version, ...(artifactId === undefined ? {} : { artifactId }) });
  } catch (error) {
    model.dispose();
    throw error instanceof ShoalError ? error : ShoalError.from(error);
  }
}

/** Whether two identities name the same model (same job, version and artifact) under the same deployment. */
export function sameServedIdentity(a: ServedIdentity | undefined, b: ServedIdentity): boolean {
  return a !== undefined && a.deploymentId === b.deploymentId && a.jobId === b.jobId && a.version === b.version && a.artifactId === b.artifactId;
}
