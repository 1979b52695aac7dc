/**
 * The upload of a plain (not secure-aggregation) round: the frame prepare-upload.ts builds (error feedback, norm
 * bounds, DP noise, the task's codec), the device signature of an enrolled client, `fit:result`, and the residual
 * kept only once the coordinator accepted it.
 */
import type { Socket } from 'socket.io-client';
import { ShoalError, type AckError, type ClientToServerEvents, type FitTask, type NamedTensor, type ServerToClientEvents } from '@shoal/protocol';
import { prepareUpload, type UploadTools } from './prepare-upload.js';
import type { TrainingReport } from './secure-upload.js';

export interface PlainUploadLink extends UploadTools {
  socket(): Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  /** The device signature of an enrolled client over the frame; undefined otherwise. */
  sign(task: FitTask, frame: Uint8Array): string | undefined;
  /** True (once) when the coordinator cancelled the task meanwhile: nothing is sent. */
  cancelled(taskId: string): boolean;
}

export interface Uploaded {
  jobId: string;
  round: number;
  bytes: number;
  float32Bytes: number;
  loss: number;
  durationMs: number;
}

/** Sends the update; resolves with what was uploaded, the coordinator's refusal, or undefined when cancelled. */
export async function uploadDelta(link: PlainUploadLink, task: FitTask, delta: NamedTensor[], report: TrainingReport): Promise<Uploaded | { refused: { code: string; message: string } } | undefined> {
  if (link.cancelled(task.taskId)) return undefined;
  const float32Bytes = delta.reduce((sum, tensor) => sum + tensor.values.byteLength, 0);
  const { frame, commitResidual } = prepareUpload(task, delta, link);
  const socket = link.socket();
  if (socket === undefined) throw new ShoalError('CONFLICT', 'the client is not connected');
  const signature = link.sign(task, frame);
  const reply = await socket.timeout(60_000).emitWithAck(
    'fit:result',
    {
      taskId: task.taskId,
      jobId: task.jobId,
      round: task.round,
      modelVersion: task.modelVersion,
      numExamples: report.numExamples,
      durationMs: report.durationMs,
      metrics: { loss: report.loss, accuracy: report.accuracy },
      ...(signature === undefined ? {} : { signature }),
    },
    frame,
  );
  if (!reply.ok) return { refused: (reply as AckError).error };
  commitResidual();
  return { jobId: task.jobId, round: task.round, bytes: frame.byteLength, float32Bytes, loss: report.loss, durationMs: report.durationMs };
}
