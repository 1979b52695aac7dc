/** Records the store contract writes: complete, with every optional field it can round-trip. */
import type { ClientCapabilities } from '@shoal/protocol';
import { normalizeJobConfig } from '../../jobs/job-config.js';
import type { ClientRecord, JobRecord, RoundRecord } from '../../store/records.js';
import type { NewModelVersion } from '../../store/store.js';
import type { ContractStore } from './contract-types.js';

/** Bytes that are not a pattern a store could fake: every byte value, in an order that depends on `seed`. */
export function weightBytes(seed: number, length = 300): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed * 31) % 256);
}

/** Bytes as plain numbers, so a Buffer and a Uint8Array with the same bytes compare equal. */
export function bytesOf(bytes: Uint8Array | undefined): number[] | undefined {
  return bytes === undefined ? undefined : Array.from(bytes);
}

export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    name: `job ${id}`,
    status: 'running',
    statusReason: undefined,
    config: normalizeJobConfig({ name: `job ${id}`, model: { preset: 'mnist-2nn' }, rounds: 3, minFitClients: 2 }),
    topology: { class_name: 'Sequential', config: { layers: [{ units: 4 }] } },
    tensorSpecs: [{ name: 'dense/kernel', shape: [3, 4] }, { name: 'dense/bias', shape: [4] }],
    createdAt: 1_000,
    updatedAt: 1_000,
    currentRound: 0,
    latestVersion: 0,
    bytesUp: 0,
    bytesDown: 0,
    ...overrides,
  };
}

export function modelVersion(version: number, overrides: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    version,
    round: version === 0 ? undefined : version,
    parentVersion: version === 0 ? undefined : version - 1,
    createdAt: 1_000 + version,
    weights: weightBytes(version),
    ...overrides,
  };
}

/** Inserts a job with its version 0 and returns what was inserted. */
export async function addJob(store: ContractStore, id: string, overrides: Partial<JobRecord> = {}): Promise<{ job: JobRecord; initial: NewModelVersion }> {
  const job = jobRecord(id, overrides);
  const initial = modelVersion(0, { createdAt: job.createdAt });
  await store.insertJob(job, initial);
  return { job, initial };
}

export function runningRound(jobId: string, round: number, startedAt: number): RoundRecord {
  return {
    jobId,
    round,
    status: 'running',
    statusReason: undefined,
    startedAt,
    endedAt: undefined,
    deadlineAt: startedAt + 60_000,
    selected: 0,
    reported: 0,
    failed: 0,
    modelVersion: undefined,
    metrics: {},
  };
}

export function capabilities(overrides: Partial<ClientCapabilities> = {}): ClientCapabilities {
  return { platform: 'linux', backend: 'cpu', agentVersion: '0.1.0', numTrainExamples: 600, numEvalExamples: 100, ...overrides };
}

export function clientRecord(id: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return { id, name: `client ${id}`, capabilities: capabilities(), firstSeenAt: 100, lastSeenAt: 100, ...overrides };
}
