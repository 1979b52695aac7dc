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
