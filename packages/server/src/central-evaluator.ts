/** Centralized evaluation of global model versions on a held-out set, run in a worker thread. */
import type { Worker } from 'node:worker_threads';
import { ShoalError, type WireError } from '@shoal/protocol';
import { startTsWorker } from './ts-worker.js';

export interface EvaluationRequest {
  id: number;
  jobId: string;
  topology: Record<string, unknown>;
  weights: Uint8Array;
  dataset: string;
  limit: number | undefined;
}

export type EvaluationReply =
  | { id: number; ok: true; loss: number; accuracy: number; numExamples: number }
  | { id: number; ok: false; error: WireError };

export interface EvaluationResult {
  loss: number;
  accuracy: number;
  numExamples: number;
}

export interface CentralEvaluator {
  evaluate(request: Omit<EvaluationRequest, 'id'>): Promise<EvaluationResult>;
  close(): Promise<void>;
}

export class WorkerCentralEvaluator implements CentralEvaluator {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: EvaluationResult) => void; reject: (e: unknown) => void }>();

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startTsWorker(new URL('./central-evaluator-worker.ts', import.meta.url));
    worker.on('message', (reply: EvaluationReply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve({ loss: reply.loss, accuracy: reply.accuracy, numExamples: reply.numExamples });
      else waiter.reject(ShoalError.fromWire(reply.error));
    });
    const failAll = (error: unknown) => {
      for (const waiter of this.pending.values()) waiter.reject(ShoalError.from(error));
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`evaluator worker exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  evaluate(request: Omit<EvaluationRequest, 'id'>): Promise<EvaluationResult> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}
