/**
 * The reference distribution of a deployment, recorded at promotion: the 16-bin input histogram of the coordinator's
 * held-out MNIST test images and the model's predicted class counts on them, computed in a worker thread.
 */
import { WorkerRpc } from '../workers/worker-rpc.js';
import type { ReferenceProfile } from './deployment.js';

export interface ReferenceRequest {
  jobId: string;
  topology: Record<string, unknown>;
  /** The version's weights, a frame of kind `weights`. */
  weights: Uint8Array;
  /** How many test images to use. */
  examples: number;
}

export interface ReferenceProfiler {
  /** Rejects with UNSUPPORTED_MODEL when the model's inputs are not MNIST-shaped. */
  profile(request: ReferenceRequest): Promise<ReferenceProfile>;
  close(): Promise<void>;
}

/** Profiles are made at promotions only: the worker (a tfjs runtime and the test images) goes once idle. */
const WORKER_IDLE_MS = 10_000;

export class WorkerReferenceProfiler implements ReferenceProfiler {
  private readonly rpc = new WorkerRpc<ReferenceRequest, ReferenceProfile>(new URL('./reference-worker.ts', import.meta.url), 'reference profiler', WORKER_IDLE_MS);

  profile(request: ReferenceRequest): Promise<ReferenceProfile> {
    return this.rpc.call(request);
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}
