/** Messages between the simulation host and its trainer workers (worker_threads, one tfjs each). */
import type { WireError } from '@shoal/protocol';
import type { SharedDataset } from './sim-dataset.js';

export interface WorkerInit {
  train: SharedDataset;
  test: SharedDataset;
}

/** How a malicious client corrupts its honest update before encoding it. */
export interface AttackPlan {
  attack: 'sign-flip' | 'scale' | 'random';
  scale: number;
  seed: number;
}

export type WorkerRequest =
  | { type: 'ready'; id: number }
  | { type: 'model'; id: number; jobId: string; topology: unknown }
  | {
      type: 'fit';
      id: number;
      jobId: string;
      version: number;
      /** The global weights frame, sent only when this worker does not hold `version` yet. */
      weights: Uint8Array | undefined;
      indices: Int32Array;
      epochs: number;
      batchSize: number;
      learningRate: number;
      seed: number;
      codec: { id: string; params: Record<string, unknown> };
      attack: AttackPlan | undefined;
    }
  | { type: 'evaluate'; id: number; jobId: string; weights: Uint8Array; limit: number | undefined };

export type WorkerReply =
  | { id: number; ok: true; type: 'ready'; backend: string }
  | { id: number; ok: true; type: 'model' }
  | { id: number; ok: true; type: 'fit'; frame: Uint8Array; numExamples: number; loss: number; accuracy: number; trainMs: number }
  | { id: number; ok: true; type: 'evaluate'; loss: number; accuracy: number; numExamples: number }
  | { id: number; ok: false; error: WireError };
