/** Converts store records into the wire views of protocols/v1 (the one place domain → wire happens). */
import type { ClientView, ContributionView, JobView, ModelDocument, ModelVersionView, RoundView, TensorSpec } from '@shoal/protocol';
import { totalElements } from '@shoal/protocol';
import { publicJobConfig } from '../jobs/job-config.js';
import type { RecentContribution } from '../store/client-query.js';
import type { ClientRecord, ContributionRecord, JobRecord, ModelVersionRecord, RoundRecord } from '../store/records.js';

/** Drops undefined fields, which JSON Schema's additionalProperties/required treat differently from absent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** What a job's summary needs of its rounds (read with jobRoundSummary, without reading the whole history). */
export interface JobRoundSummary {
  completed: number;
  lastCompleted: RoundRecord | undefined;
  lastFederated: RoundRecord | undefined;
  lastEpsilon: RoundRecord | undefined;
}

/** A job that has run no round yet. */
export const NO_ROUNDS: JobRoundSummary = { completed: 0, lastCompleted: undefined, lastFederated: undefined, lastEpsilon: undefined };

export function toJobView(job: JobRecord, rounds: JobRoundSummary): JobView {
  const last = rounds.lastCompleted;
  const lastFederated = rounds.lastFederated;
  return compact({
    id: job.id,
    name: job.name,
    status: job.status,
    statusReason: job.statusReason,
    config: publicJobConfig(job.config),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    currentRound: job.currentRound,
    latestModelVersion: job.latestVersion,
    parameterCount: totalElements(job.tensorSpecs),
    summary: compact({
      roundsCompleted: rounds.completed,
      bytesUp: job.bytesUp,
      bytesDown: job.bytesDown,
      centralAccuracy: last?.metrics.centralAccuracy,
      centralLoss: last?.metrics.centralLoss,
      federatedAccuracy: lastFederated?.metrics.federatedAccuracy,
      epsilon: job.config.privacy === undefined ? undefined : (rounds.lastEpsilon?.metrics.epsilon ?? 0),
      delta: job.config.privacy?.accountant.delta,
    }),
  });
}

export function toRoundView(round: RoundRecord): RoundView {
  return compact({ ...round, statusReason: round.statusReason, endedAt: round.endedAt, deadlineAt: round.deadlineAt, modelVersion: round.modelVersion });
}

export function toContributionView(contribution: ContributionRecord): ContributionView {
  return compact({ ...contribution });
}

export function toClientView(
  client: ClientRecord,
  online: { lastSeenAt: number } | undefined,
  contributions: number,
  recent?: readonly RecentContribution[],
): ClientView {
  const view: ClientView = {
    id: client.id,
    name: client.name,
    status: online === undefined ? 'offline' : 'online',
    firstSeenAt: client.firstSeenAt,
    lastSeenAt: Math.max(client.lastSeenAt, online?.lastSeenAt ?? 0),
    capabilities: client.capabilities,
    contributions,
  };
  if (recent !== undefined) view.recentContributions = recent.map((c) => ({ jobId: c.jobId, round: c.round, status: c.status, at: c.at }));
  return view;
}

export function toModelVersionView(version: ModelVersionRecord): ModelVersionView {
  return compact({
    jobId: version.jobId,
    version: version.version,
    round: version.round,
    parentVersion: version.parentVersion,
    createdAt: version.createdAt,
    byteLength: version.byteLength,
    centralAccuracy: version.centralAccuracy,
    centralLoss: version.centralLoss,
    prunedAt: version.prunedAt,
    weightsUrl: `/api/v1/jobs/${version.jobId}/models/${version.version}/weights`,
    modelUrl: `/api/v1/jobs/${version.jobId}/model.json`,
  });
}

/** The model.json document of a job or an artifact (schemas/model-document.schema.json). */
export function toModelDocument(topology: object, tensors: readonly TensorSpec[], serverVersion: string): ModelDocument {
  return { format: 'layers-model', generatedBy: `shoal ${serverVersion}`, modelTopology: topology as ModelDocument['modelTopology'], tensors: tensors.map(({ name, shape }) => ({ name, shape: [...shape] })) };
}
