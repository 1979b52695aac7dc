/** Store rows → domain records: one mapper per table (SQL NULL becomes undefined). */
import { withCompressionDefaults, type JobConfig } from '../jobs/job-config.js';
import { optionalNumber, optionalString, type Row } from './row-values.js';
import type { ClientRecord, ContributionRecord, ContributionStatus, JobRecord, JobStatus, ModelVersionRecord, RoundRecord } from './records.js';
import type { RoundMetrics } from '@shoal/protocol';

export function clientFromRow(row: Row): ClientRecord {
  return {
    id: String(row['id']),
    name: String(row['name']),
    capabilities: JSON.parse(String(row['capabilities'])),
    firstSeenAt: Number(row['first_seen_at']),
    lastSeenAt: Number(row['last_seen_at']),
  };
}

export function jobFromRow(row: Row): JobRecord {
  return {
    id: String(row['id']),
    name: String(row['name']),
    status: row['status'] as JobStatus,
    statusReason: optionalString(row['status_reason']),
    config: withCompressionDefaults(JSON.parse(String(row['config'])) as JobConfig),
    topology: JSON.parse(String(row['topology'])),
    tensorSpecs: JSON.parse(String(row['tensor_specs'])),
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
    currentRound: Number(row['current_round']),
    latestVersion: Number(row['latest_version']),
    bytesUp: Number(row['bytes_up']),
    bytesDown: Number(row['bytes_down']),
  };
}

export function roundFromRow(row: Row): RoundRecord {
  return {
    jobId: String(row['job_id']),
    round: Number(row['round']),
    status: row['status'] as RoundRecord['status'],
    statusReason: optionalString(row['status_reason']),
    startedAt: Number(row['started_at']),
    endedAt: optionalNumber(row['ended_at']),
    deadlineAt: optionalNumber(row['deadline_at']),
    selected: Number(row['selected']),
    reported: Number(row['reported']),
    failed: Number(row['failed']),
    modelVersion: optionalNumber(row['model_version']),
    metrics: JSON.parse(String(row['metrics'])) as RoundMetrics,
    ...(Number(row['interrupted'] ?? 0) === 1 ? { interrupted: true } : {}),
  };
}

export function versionFromRow(row: Row): ModelVersionRecord {
  return {
    jobId: String(row['job_id']),
    version: Number(row['version']),
    round: optionalNumber(row['round']),
    parentVersion: optionalNumber(row['parent_version']),
    createdAt: Number(row['created_at']),
    byteLength: Number(row['byte_length']),
    centralAccuracy: optionalNumber(row['central_accuracy']),
    centralLoss: optionalNumber(row['central_loss']),
    ...(row['pruned_at'] === null || row['pruned_at'] === undefined ? {} : { prunedAt: Number(row['pruned_at']) }),
  };
}

export function contributionFromRow(row: Row): ContributionRecord {
  return {
    jobId: String(row['job_id']),
    round: Number(row['round']),
    clientId: String(row['client_id']),
    status: row['status'] as ContributionStatus,
    errorCode: optionalString(row['error_code']),
    numExamples: optionalNumber(row['num_examples']),
    bytesUp: Number(row['bytes_up']),
    bytesDown: Number(row['bytes_down']),
    loss: optionalNumber(row['loss']),
    accuracy: optionalNumber(row['accuracy']),
    durationMs: optionalNumber(row['duration_ms']),
    weight: optionalNumber(row['weight']),
    updateNorm: optionalNumber(row['update_norm']),
    distanceToAggregate: optionalNumber(row['distance_to_aggregate']),
    outlier: row['outlier'] === null || row['outlier'] === undefined ? undefined : Number(row['outlier']) === 1,
  };
}
