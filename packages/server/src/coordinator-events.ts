/** Typed in-process events the coordinator publishes about jobs and rounds (for logs, the console and tests). */
import { EventEmitter } from 'node:events';
import type { RoundMetrics } from '@shoal/protocol';
import type { JobStatus } from './store/records.js';

export interface CoordinatorEventMap {
  'round:started': [{ jobId: string; round: number; selected: string[]; deadlineAt: number }];
  'round:progress': [{ jobId: string; round: number; reported: number; failed: number; selected: number }];
  'round:finished': [{ jobId: string; round: number; status: 'completed' | 'failed'; modelVersion: number | undefined; metrics: RoundMetrics }];
  'job:status': [{ jobId: string; status: JobStatus; reason: string | undefined }];
  'client:online': [{ clientId: string }];
  'client:offline': [{ clientId: string }];
}

export class CoordinatorEvents extends EventEmitter<CoordinatorEventMap> {}
