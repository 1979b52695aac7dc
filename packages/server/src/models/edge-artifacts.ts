/**
 * Edge-optimised artifacts from stored model versions: the build (pruning, quantisation, distillation, measurement)
 * runs in a worker thread, one build at a time so their latency runs do not overlap; accepted artifacts are stored.
 */
import { randomBytes } from 'node:crypto';
import { ShoalError, parseMessage, type CreateArtifactRequest, type DistillationSettings } from '@shoal/protocol';
import type { ArtifactQuantization, EdgeArtifact } from '@shoal/edge';
import type { ArtifactRecord } from '../store/artifact-records.js';
import type { Store } from '../store/store.js';
import { WorkerRpc } from '../workers/worker-rpc.js';

/** A CreateArtifactRequest with every default filled in (rest.md, Edge artifacts). */
export interface ArtifactSettings {
  minAccuracy: number;
  sparsity: number;
  structuredFractions: number[];
  fineTuneEpochs: number;
  quantization: ArtifactQuantization;
  distill: (DistillationSettings & { epochs: number }) | undefined;
  transferExamples: number;
  heldOutExamples: number;
  latencySamples: number;
}

export interface ArtifactBuildRequest {
  topology: Record<string, unknown>;
  /** The version's weights frame. */
  weights: Uint8Array;
  settings: ArtifactSettings;
}

export interface ArtifactBuildResult {
  artifact: EdgeArtifact;
  backend: string;
  buildMs: number;
}

export const ARTIFACT_DEFAULTS = {
  sparsity: 0.5,
  structuredFractions: [0.25, 0.5],
  fineTuneEpochs: 0,
  quantization: 'int8-channel',
  distillEpochs: 3,
  transferExamples: 10_000,
  heldOutExamples: 10_000,
  latencySamples: 200,
} as const;

export function artifactSettings(request: CreateArtifactRequest): ArtifactSettings {
  const defaults = ARTIFACT_DEFAULTS;
  return {
    minAccuracy: request.minAccuracy,
    sparsity: request.sparsity ?? defaults.sparsity,
    structuredFractions: request.structured === false ? [] : (request.structuredFractions ?? [...defaults.structuredFractions]),
    fineTuneEpochs: request.fineTuneEpochs ?? defaults.fineTuneEpochs,
    quantization: request.quantization ?? defaults.quantization,
    distill: request.distill === undefined ? undefined : { ...request.distill, epochs: request.distill.epochs ?? defaults.distillEpochs },
    transferExamples: request.transferExamples ?? defaults.transferExamples,
    heldOutExamples: request.heldOutExamples ?? defaults.heldOutExamples,
    latencySamples: request.latencySamples ?? defaults.latencySamples,
  };
}

export class EdgeArtifactService {
  private readonly builder = new WorkerRpc<ArtifactBuildRequest, ArtifactBuildResult>(new URL('../workers/edge-artifact-worker.ts', import.meta.url), 'edge artifact builder', 10_000);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store) {}

  /**
   * Builds and stores an artifact of `jobId` version `version` from an unparsed CreateArtifactRequest; a refusal
   * (VALIDATION_FAILED, NOT_FOUND, ARTIFACT_BELOW_MIN_ACCURACY) stores nothing.
   */
  async build(jobId: string, version: number, body: unknown): Promise<ArtifactRecord> {
    const settings = artifactSettings(parseMessage('create-artifact-request', body));
    const job = this.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    const weights = this.store.getVersionWeights(jobId, version);
    if (weights === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} has no model version ${version}`);
    const run = this.queue.then(() => this.builder.call({ topology: job.topology, weights: new Uint8Array(weights), settings }));
    this.queue = run.catch(() => undefined);
    const { artifact, backend, buildMs } = await run;
    const { topology, tensorSpecs, codec, weights: frame, base, candidates, skipped, name, ...figures } = artifact;
    const record: ArtifactRecord = {
      id: `art-${randomBytes(5).toString('hex')}`,
      jobId,
      version,
      createdAt: Date.now(),
      candidate: name,
      topology,
      tensorSpecs,
      codec,
      weights: frame,
      ...figures,
      report: { base, candidates, skipped, backend, buildMs, settings: { ...settings } },
    };
    this.store.artifacts.insert(record);
    return record;
  }

  close(): Promise<void> {
    return this.builder.close();
  }
}
