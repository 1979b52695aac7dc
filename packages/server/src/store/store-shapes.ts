/** The argument and result shapes of the Store's ports (store.ts), kept apart from the ports themselves. */
import type { DeploymentStatus } from '../serving/deployment.js';
import type { ContributionStatus, RoundRecord } from './records.js';

export interface NewModelVersion {
  version: number;
  round: number | undefined;
  parentVersion: number | undefined;
  createdAt: number;
  weights: Uint8Array;
  centralAccuracy?: number | undefined;
  centralLoss?: number | undefined;
}

/** Fields left undefined keep their value; `bytesUp` is added to what the contribution already counts. */
export interface ContributionPatch {
  status?: ContributionStatus;
  errorCode?: string;
  numExamples?: number;
  bytesUp?: number;
  loss?: number;
  accuracy?: number;
  durationMs?: number;
  weight?: number;
  updateNorm?: number;
  distanceToAggregate?: number;
  outlier?: boolean;
  /** Clears an earlier refusal's code (the upload was accepted on a retry). */
  clearErrorCode?: boolean;
}

export const CLIENT_SORT_KEYS = ['id', 'name', 'status', 'lastSeen', 'contributions', 'platform', 'backend'] as const;
export type ClientSortKey = (typeof CLIENT_SORT_KEYS)[number];

export interface ClientQuery {
  offset: number;
  limit: number;
  /** Case-insensitive substring of id, name, platform, backend or agent version. */
  search: string | undefined;
  status: 'online' | 'offline' | undefined;
  sort: ClientSortKey;
  descending: boolean;
  /** Ids connected right now: who is online lives in the registry, not in the store. */
  onlineIds: readonly string[];
}

export interface RecentContribution {
  jobId: string;
  round: number;
  status: ContributionStatus;
  at: number;
}

/** A status change of one deployment, recorded with its history entry. */
export interface StatusChange {
  id: string;
  status: DeploymentStatus;
  reason: string | undefined;
}

/** A keyset page to read: at most `limit` items whose key is above `after` (from the first key when undefined). */
export interface KeysetPage<K extends number | string> {
  limit: number;
  after?: K | undefined;
}

/** One page in key order, whether more items follow it, and how many the whole list holds. */
export interface StorePage<T> {
  items: T[];
  more: boolean;
  total: number;
}

/** The closing figures of a round, as finishRound writes them. */
export type RoundClose = Pick<RoundRecord, 'jobId' | 'round' | 'status' | 'statusReason' | 'endedAt' | 'reported' | 'failed' | 'metrics'>;

/** Who runs a job's round state machine: one node at a time, each new holder with a higher epoch (the fencing token). */
export interface JobLease {
  jobId: string;
  holder: string;
  epoch: number;
  /** Milliseconds since the epoch, on the database's clock. */
  expiresAt: number;
}

/**
 * Job leases. `acquire` takes a lease that is free, expired or already the caller's; from then on, until
 * `release` (also after `renew` reported it lost), every write this store instance makes for that job (rounds, contributions, model
 * versions, strategy state, job status and totals) checks in its own transaction that the lease row still carries
 * the caller's holder and epoch, and otherwise throws ShoalError('LEASE_LOST') having changed nothing.
 */
export interface LeasesPort {
  /** The lease for `holder` for `ttlMs` (epoch + 1 when it changes hands, the same epoch when the holder already had it), or undefined while another holds it unexpired. */
  acquire(jobId: string, holder: string, ttlMs: number): JobLease | undefined;
  /** Extends the holder's lease; false when the epoch moved on or the row is gone (the fence stays: writes keep failing). */
  renew(jobId: string, holder: string, epoch: number, ttlMs: number): boolean;
  /** Gives the lease up (expires it now) and drops the fence; a no-op when it is not the caller's. */
  release(jobId: string, holder: string, epoch: number): void;
  /** The unexpired lease on the job, if any. */
  current(jobId: string): JobLease | undefined;
  /** Jobs whose status is running or paused and whose lease is missing or expired, oldest first, at most `limit`. */
  orphaned(limit: number): string[];
}

/** One contribution's patch, in a batch of one round's (ContributionsPort.updateContributions). */
export interface ContributionChangeRow {
  clientId: string;
  patch: ContributionPatch;
}

/** Bytes served to one contribution, in a batch (ContributionsPort.addBytesDownRows). */
export interface BytesDownRow {
  round: number;
  clientId: string;
  bytes: number;
}
