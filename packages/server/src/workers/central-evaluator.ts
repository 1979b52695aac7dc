/** Centralized evaluation of global model versions on a held-out set, run in a worker thread. */
import { WorkerRpc } from './worker-rpc.js';

export interface EvaluationRequest {
  id: number;
  jobId: string;
  topology: Record<string, unknown>;
  weights: Uint8Array;
  dataset: string;
  limit: number | undefined;
}

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
  private readonly rpc = new WorkerRpc<Omit<EvaluationRequest, 'id'>, EvaluationResult>(new URL('./central-evaluator-worker.ts', import.meta.url), 'evaluator');

  evaluate(request: Omit<EvaluationRequest, 'id'>): Promise<EvaluationResult> {
    return this.rpc.call(request);
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}
