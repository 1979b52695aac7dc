/** One open training round: accepts, refuses and streams client updates into the strategy until it closes. */
import { ShoalError, type FitResult } from '@shoal/protocol';
import type { ClientFailure, FitAggregation } from '@shoal/strategy';
import { deferred } from '../time/deferred.js';
import type { UpdateIntake } from './update-intake.js';

export type CloseReason = 'complete' | 'deadline' | 'stopped';

export interface FitRoundSettings {
  jobId: string;
  round: number;
  baseVersion: number;
  tasks: ReadonlyMap<string, string>;
  /** Reads, checks and decodes each upload (once). */
  intake: UpdateIntake;
  /** Updates with ‖Δ‖₂ above this are refused with UPDATE_OUT_OF_BOUNDS. */
  maxUpdateNorm: number;
  /** The weight a client's update may carry: what it reported, capped by what it declared and the job's maximum. */
  weightOf: (clientId: string, reportedExamples: number) => number;
  /** Uploads refused for their content may be retried (e.g. corrupted in transit) up to this many times per client. */
  maxUpdateAttempts: number;
  /** Device-signature checks (identity): throws the refusal code; returns the payload hash to remember once accepted. */
  verifyUpload?: (clientId: string, result: FitResult, update: Uint8Array) => { payloadSha256: string | undefined };
}

export interface AcceptedUpdate {
  clientId: string;
  /** What the client reported. */
  numExamples: number;
  /** What its update weighed: numExamples capped (see FitRoundSettings.weightOf). */
  weight: number;
  updateNorm: number | undefined;
  bytes: number;
  loss: number;
  accuracy: number | undefined;
  durationMs: number;
  /** SHA-256 of a signed payload (enrolled devices), remembered to refuse replays. */
  payloadSha256: string | undefined;
}

export class FitRound {
  readonly pending: Set<string>;
  readonly accepted: AcceptedUpdate[] = [];
  readonly failures: ClientFailure[] = [];
  /** Clients whose update was accepted, and clients whose task ended without one (fit:failure, attempts used up). */
  private readonly delivered = new Set<string>();
  private readonly closedTasks = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly closed = deferred<CloseReason>();
  private isClosed = false;

  constructor(
    readonly settings: FitRoundSettings,
    private readonly aggregation: FitAggregation,
  ) {
    this.pending = new Set(settings.tasks.keys());
    if (this.pending.size === 0) this.close('complete');
  }

  get whenClosed(): Promise<CloseReason> {
    return this.closed.promise;
  }

  get open(): boolean {
    return !this.isClosed;
  }

  close(reason: CloseReason): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closed.resolve(reason);
  }

  /** Checks that an update may enter this round at all; throws with the code the sender gets. */
  admit(clientId: string, result: FitResult): void {
    const taskId = this.settings.tasks.get(clientId);
    if (taskId === undefined) throw new ShoalError('NOT_SELECTED', `client ${clientId} was not selected for round ${result.round}`);
    if (this.delivered.has(clientId)) {
      throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${result.round}`);
    }
    if (this.closedTasks.has(clientId)) {
      throw new ShoalError('TASK_CLOSED', `client ${clientId}'s task for round ${result.round} is over (it reported a failure or used up its ${this.settings.maxUpdateAttempts} upload attempts)`);
    }
    if (result.taskId !== taskId) throw new ShoalError('VALIDATION_FAILED', `taskId ${result.taskId} does not match the task sent (${taskId})`);
    if (result.modelVersion !== this.settings.baseVersion) {
      throw new ShoalError(
        'WRONG_ROUND',
        `update was trained from model version ${result.modelVersion}; round ${result.round} trains version ${this.settings.baseVersion}`,
      );
    }
  }

  /**
   * Validates the frame and streams it into the aggregate; on any error nothing in the aggregate changes.
   * A refused upload may be retried until maxUpdateAttempts; after that the client counts as failed for the round.
   */
  accept(clientId: string, result: FitResult, update: Uint8Array): AcceptedUpdate {
    this.admit(clientId, result);
    let payloadSha256: string | undefined;
    let added: { weight: number; l2Norm: number };
    try {
      payloadSha256 = this.settings.verifyUpload?.(clientId, result, update).payloadSha256;
      added = this.addToAggregate(clientId, result, update);
    } catch (error) {
      const failure = ShoalError.from(error);
      const attempts = (this.attempts.get(clientId) ?? 0) + 1;
      this.attempts.set(clientId, attempts);
      if (attempts >= this.settings.maxUpdateAttempts) this.fail(clientId, failure.code, failure.message);
      throw failure;
    }
    this.delivered.add(clientId);
    this.pending.delete(clientId);
    const accepted: AcceptedUpdate = {
      clientId,
      numExamples: result.numExamples,
      weight: added.weight,
      updateNorm: added.l2Norm,
      bytes: update.byteLength,
      loss: result.metrics.loss,
      accuracy: result.metrics.accuracy,
      durationMs: result.durationMs,
      payloadSha256,
    };
    this.accepted.push(accepted);
    this.closeIfDone();
    return accepted;
  }

  /** Decodes, bounds and adds the update; returns its weight and norm. Throws before the aggregate changes. */
  private addToAggregate(clientId: string, result: FitResult, update: Uint8Array): { weight: number; l2Norm: number } {
    const { values, l2Norm } = this.settings.intake.decode(update, this.settings.maxUpdateNorm);
    const weight = this.settings.weightOf(clientId, result.numExamples);
    this.aggregation.add({ clientId, numExamples: weight, metrics: result.metrics, values, l2Norm });
    return { weight, l2Norm };
  }

  /** True once the client's task ended without an accepted update. */
  taskClosed(clientId: string): boolean {
    return this.closedTasks.has(clientId);
  }

  fail(clientId: string, code: string, message: string): boolean {
    if (!this.pending.delete(clientId)) return false;
    this.closedTasks.add(clientId);
    this.failures.push({ clientId, code, message });
    this.closeIfDone();
    return true;
  }

  finish(): ReturnType<FitAggregation['finish']> {
    return this.aggregation.finish(this.failures);
  }

  private closeIfDone(): void {
    if (this.pending.size === 0) this.close('complete');
  }
}
