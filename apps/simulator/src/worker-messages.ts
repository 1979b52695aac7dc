/** Messages between the simulation host and its trainer workers (worker_threads, one tfjs each). */
import type { NamedTensor, WireError } from '@shoal/protocol';
import type { ATTACKS } from './sim-config.js';
import type { SharedDataset } from './sim-dataset.js';

export interface WorkerInit {
  train: SharedDataset;
  test: SharedDataset;
}

/**
 * How a malicious client corrupts its honest update (clipped as an honest client's would be) before encoding it:
 * sign-flip, scale and random in the worker; inflate sends random noise too, and claims 10^9 examples at hello and in
 * fit:result; alie has the worker return the honest update for the round's attackers to combine.
 */
export interface AttackPlan {
  attack: (typeof ATTACKS)[number];
  scale: number;
  seed: number;
}

/** A trained update as the worker hands it back: encoded, or (ALIE) the honest float32 update for the attackers. */
export type TrainedUpdate = { kind: 'frame'; frame: Uint8Array } | { kind: 'honest'; tensors: NamedTensor[] };

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
      /** FedProx's μ of the task, or undefined. */
      proximalMu: number | undefined;
      /** The task's L2 bound on an honest update, or undefined. */
      updateClipNorm: number | undefined;
      seed: number;
      codec: { id: string; params: Record<string, unknown> };
      attack: AttackPlan | undefined;
    }
  | { type: 'evaluate'; id: number; jobId: string; weights: Uint8Array; limit: number | undefined };

export type WorkerReply =
  | { id: number; ok: true; type: 'ready'; backend: string }
  | { id: number; ok: true; type: 'model' }
  | { id: number; ok: true; type: 'fit'; update: TrainedUpdate; numExamples: number; loss: number; accuracy: number; trainMs: number }
  | { id: number; ok: true; type: 'evaluate'; loss: number; accuracy: number; numExamples: number }
  | { id: number; ok: false; error: WireError };
