/** What a ShoalClient is configured with and the events it emits. */
import type { EvaluateTask, FitTask, ShoalError } from '@shoal/protocol';
import type { CodecRegistry } from '@shoal/codec';
import type { LabeledExamples } from '@shoal/data';
import type { TransportSecurity } from './coordinator-http.js';
import type { SecurePhaseEvent } from './secure-upload.js';
import type { ServingOptions } from './serving-service.js';
import type { OnlineLearningOptions } from './online-learning.js';
import type { ConnectionRetry, ReconnectPolicy } from './connection-retry.js';

export type { ReconnectPolicy };


export interface ShoalClientOptions {
  coordinatorUrl: string;
  name: string;
  train: LabeledExamples;
  evaluation?: LabeledExamples;
  stateDir?: string;
  labels?: string[];
  reconnect?: Partial<ReconnectPolicy>;
  codecs?: CodecRegistry;
  /** TLS: the coordinator's certificate is always verified; `ca` pins the CA to trust (PEM). */
  tls?: TransportSecurity;
  /** Seed for local shuffling, so a run can be reproduced. */
  seed?: number;
  /** Enrol as a device with this admin-issued join token (once; the state directory remembers it), then sign every upload. */
  joinToken?: string;
  /** Serving and online learning: docs/edge-serving.md. */
  serving?: Pick<ServingOptions, 'microBatch' | 'maxExamplesPerRequest'>;
  onlineLearning?: OnlineLearningOptions;
}

export interface ShoalClientEvents {
  registered: [{ clientId: string }];
  'task:fit': [FitTask];
  'task:evaluate': [EvaluateTask];
  /** A secure-aggregation task reached a phase (secure-upload.ts). */
  'secagg:phase': [SecurePhaseEvent];
  uploaded: [{ jobId: string; round: number; bytes: number; float32Bytes: number; loss: number; durationMs: number }];
  evaluated: [{ jobId: string; round: number; accuracy: number; loss: number }];
  refused: [{ event: string; code: string; message: string }];
  /** Something was wrong but the client carried on (e.g. an unreadable residual file); without a listener it goes to process.emitWarning. */
  warning: [{ message: string }];
  disconnected: [{ reason: string }];
  /** A connection failed or was lost; the client tries again after `nextAttemptMs` (connection-retry.ts). */
  retrying: [ConnectionRetry];
  /** The client gave up: DEVICE_REVOKED, PROTOCOL_VERSION_MISMATCH, or UNAUTHENTICATED (`details.tls`) when the pinned CA does not verify the coordinator. */
  fatal: [ShoalError];
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.5 };
