/** Typed in-process events the coordinator publishes about jobs and rounds (for logs, the console and tests). */
import { EventEmitter } from 'node:events';
import type { RoundMetrics } from '@shoal/protocol';
import type { JobStatus } from './store/records.js';

export interface CoordinatorEventMap {
  'round:started': [{ jobId: string; round: number; selected: string[]; deadlineAt: number }];
  /** A training round stopped taking updates (before it is aggregated and recorded); `dropped` were still pending. */
  'round:closed': [{ jobId: string; round: number; reason: 'complete' | 'deadline' | 'stopped'; dropped: string[] }];
  'round:progress': [{ jobId: string; round: number; reported: number; failed: number; selected: number }];
  'round:finished': [{ jobId: string; round: number; status: 'completed' | 'failed'; modelVersion: number | undefined; metrics: RoundMetrics }];
  'job:status': [{ jobId: string; status: JobStatus; reason: string | undefined }];
  'client:online': [{ clientId: string }];
  'client:offline': [{ clientId: string }];
  /** What the coordinator holds of one client's input in a secure round: the masked ring vector (never forwarded to any peer). */
  'secagg:masked-input': [{ jobId: string; round: number; clientId: string; masked: Uint32Array }];
  /** The unmasked ring sum of a secure round and the clients whose inputs it holds. */
  'secagg:sum': [{ jobId: string; round: number; included: string[]; sum: Uint32Array }];
}

export class CoordinatorEvents extends EventEmitter<CoordinatorEventMap> {}
