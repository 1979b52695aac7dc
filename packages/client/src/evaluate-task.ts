/** Federated evaluation on the client: a global version's loss and accuracy on its held-out data, sent as `evaluate:result`. */
import type { Socket } from 'socket.io-client';
import { ShoalError, type ClientToServerEvents, type EvaluateTask, type ServerToClientEvents } from '@shoal/protocol';
import { evaluateModel } from '@shoal/ml';
import type { LabeledExamples } from '@shoal/data';
import type { ModelSession } from './model-session.js';

export type Evaluated = { ok: true; accuracy: number; loss: number } | { ok: false; error: { code: string; message: string } };

export async function runEvaluateTask(
  task: EvaluateTask,
  deps: { data: LabeledExamples | undefined; session: ModelSession; socket: Socket<ServerToClientEvents, ClientToServerEvents> },
): Promise<Evaluated> {
  const { data, session, socket } = deps;
  if (data === undefined || data.count === 0) throw new ShoalError('CONFLICT', 'this client holds no evaluation data');
  const loaded = await session.load(task.jobId, task.modelVersion, task.modelUrl, task.weightsUrl);
  const result = await evaluateModel(loaded.model, data, { batchSize: task.config.batchSize });
  const reply = await socket.timeout(30_000).emitWithAck('evaluate:result', {
    taskId: task.taskId,
    jobId: task.jobId,
    round: task.round,
    modelVersion: task.modelVersion,
    numExamples: result.numExamples,
    loss: result.loss,
    accuracy: result.accuracy,
  });
  return reply.ok ? { ok: true, accuracy: result.accuracy, loss: result.loss } : { ok: false, error: reply.error };
}
