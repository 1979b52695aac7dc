/** The fit and evaluate tasks sent to clients, with the URLs they download the model from. */
import { randomBytes } from 'node:crypto';
import type { EvaluateTask, FitConfig, FitTask, SecureAggregationTask } from '@shoal/protocol';
import type { JobRecord } from '../store/records.js';

/** A task's id: its kind ('t' fit, 'e' evaluate), round and a random part, so no client can guess another's. */
export const newTaskId = (prefix: string, round: number) => `${prefix}${round}-${randomBytes(6).toString('hex')}`;

export const modelUrl = (jobId: string) => `/api/v1/jobs/${jobId}/model.json`;
export const weightsUrl = (jobId: string, version: number, taskId: string) => `/api/v1/jobs/${jobId}/models/${version}/weights?taskId=${taskId}`;

interface TaskFacts {
  job: JobRecord;
  round: number;
  version: number;
  taskId: string;
  deadlineAt: number;
}

/** What every task carries: who, which round, and where to fetch the model version to work on. */
function taskBasics({ job, round, version, taskId, deadlineAt }: TaskFacts) {
  return { taskId, jobId: job.id, round, modelVersion: version, modelUrl: modelUrl(job.id), weightsUrl: weightsUrl(job.id, version, taskId), deadlineAt };
}

export function fitTask(facts: TaskFacts & { config: FitConfig; secureAggregation?: SecureAggregationTask | undefined }): FitTask {
  return {
    ...taskBasics(facts),
    config: facts.config,
    uploadCodec: facts.job.config.uploadCodec,
    // Sent only when on: clients of the first v1 release parse fit:task strictly.
    ...(facts.job.config.errorFeedback ? { errorFeedback: true } : {}),
    ...(facts.secureAggregation === undefined ? {} : { secureAggregation: facts.secureAggregation }),
  };
}

export function evaluateTask(facts: TaskFacts & { batchSize: number }): EvaluateTask {
  return { ...taskBasics(facts), config: { batchSize: facts.batchSize } };
}
