/**
 * Where the effects of a contribution are written, for plain and secure rounds alike: the contribution row, the
 * update and byte metrics, the remembered payload of a signed upload, and the round's progress event. The round core
 * decides what changed; the ledger only records it.
 */
import type { RunnerContext } from './runner-context.js';
import type { AcceptedUpdate, ContributionChange, RoundOutcome, RoundState } from './round-state.js';
import type { VerifiedUpload } from '../identity/update-verifier.js';

import type { ContributionChangeRow, ContributionPatch } from '../store/store.js';

export type { ContributionPatch };

export interface RoundLedgerDependencies {
  jobId: string;
  store: Pick<RunnerContext['store'], 'updateContribution' | 'updateContributions' | 'addBytesDown' | 'addBytesDownRows'>;
  metrics: Pick<RunnerContext['metrics'], 'updates' | 'bytesUp' | 'bytesDown'>;
  events: Pick<RunnerContext['events'], 'emit'>;
  updates: Pick<RunnerContext['updates'], 'verify' | 'accepted'>;
  /** The job accepts updates only from enrolled devices. */
  requireEnrolled: boolean;
}

/** What an upload is signed over besides its bytes (a fit:result, or a secure round's masked-input report). */
export interface UploadReport {
  taskId: string;
  signature?: string | undefined;
}

/** The row patch of a change the round core decided (with the bytes of the upload that caused it, if any). */
export function patchOf(change: ContributionChange, bytesUp?: number): ContributionPatch {
  return { status: change.status, ...(change.errorCode === undefined ? {} : { errorCode: change.errorCode }), ...(bytesUp === undefined ? {} : { bytesUp }) };
}

export class RoundLedger {
  /** While `batched` runs: the contribution writes held back, by round, for one write when it returns. */
  private held: Map<number, ContributionChangeRow[]> | undefined;

  constructor(private readonly deps: RoundLedgerDependencies) {}

  /**
   * Runs `body` with the contribution writes it causes held back and written together when it returns, one
   * transaction per round (a cluster node's batch of uploads: one trip to the database instead of one per upload).
   */
  batched<T>(body: () => T): T {
    if (this.held !== undefined) return body();
    const held = (this.held = new Map());
    try {
      return body();
    } finally {
      this.held = undefined;
      for (const [round, changes] of held) this.deps.store.updateContributions(this.deps.jobId, round, changes);
    }
  }

  private write(round: number, clientId: string, patch: ContributionPatch): void {
    const held = this.held;
    if (held === undefined) return this.deps.store.updateContribution(this.deps.jobId, round, clientId, patch);
    const changes = held.get(round);
    if (changes === undefined) held.set(round, [{ clientId, patch }]);
    else changes.push({ clientId, patch });
  }

  /** The device-signature check of an upload (identity): throws the refusal code; returns the hash to remember once accepted. */
  verifyUpload(round: number, clientId: string, report: UploadReport, payload: Uint8Array): VerifiedUpload {
    const { jobId, updates, requireEnrolled } = this.deps;
    return updates.verify({ jobId, round, clientId, taskId: report.taskId, signature: report.signature, payload }, { requireEnrolled });
  }

  /**
   * A change to the contribution row. What the round took in (bytes of accepted uploads and of secure messages) counts
   * in the byte metric, and an accepted contribution in the update metric.
   */
  record(round: number, clientId: string, patch: ContributionPatch): void {
    this.write(round, clientId, patch);
    if (patch.bytesUp !== undefined) this.deps.metrics.bytesUp.inc(patch.bytesUp);
    if (patch.status === 'accepted') this.deps.metrics.updates.inc({ outcome: 'accepted' });
  }

  /** A plain round's accepted update: the row with its figures, and its payload hash against replays. */
  accepted(round: number, update: AcceptedUpdate): void {
    this.record(round, update.clientId, {
      status: 'accepted',
      clearErrorCode: true,
      numExamples: update.numExamples,
      bytesUp: update.bytes,
      loss: update.loss,
      ...(update.accuracy === undefined ? {} : { accuracy: update.accuracy }),
      durationMs: update.durationMs,
    });
    this.payloadAccepted(round, update.clientId, update.payloadSha256);
  }

  payloadAccepted(round: number, clientId: string, payloadSha256: string | undefined): void {
    this.deps.updates.accepted({ jobId: this.deps.jobId, round, clientId }, { payloadSha256 });
  }

  /**
   * A change the round core decided. Refused and late uploads still cost bandwidth: their bytes count in the row, not in
   * the byte metric (nothing of them was taken in).
   */
  apply(round: number, change: ContributionChange | undefined, bytesUp?: number): void {
    if (change !== undefined) this.write(round, change.clientId, patchOf(change, bytesUp));
  }

  /** An upload the open round refused, counted by its code. */
  refused(code: string): void {
    this.deps.metrics.updates.inc({ outcome: code });
  }

  /** Model bytes served: to a task of the round when one is named, else only to the metric. */
  bytesDown(round: number | undefined, clientId: string | undefined, bytes: number): void {
    this.deps.metrics.bytesDown.inc(bytes);
    if (round !== undefined && clientId !== undefined) this.deps.store.addBytesDown(this.deps.jobId, round, clientId, bytes);
  }

  /** Model bytes already in the metric, summed per round and client by DownloadAccounting, written to their rows. */
  writeBytesDown(rows: readonly { round: number; clientId: string; bytes: number }[]): void {
    this.deps.store.addBytesDownRows(this.deps.jobId, rows);
  }

  /** The round's counts as the console shows them live. */
  progress(state: RoundState): void {
    this.deps.events.emit('round:progress', { jobId: this.deps.jobId, round: state.round, reported: state.accepted.length, failed: state.failures.length, selected: state.tasks.size });
  }

  /** Applies an outcome of the round core, and announces the progress it made. */
  applyOutcome(state: RoundState, outcome: RoundOutcome | undefined): void {
    if (outcome === undefined) return;
    this.apply(state.round, outcome.change);
    this.progress(state);
  }
}
