/** One open training round: accepts, refuses and streams client updates into the strategy until it closes. */
import { ShoalError, type FitResult, type TensorSpec } from '@shoal/protocol';
import { accumulateFrame, decodeFrame, readFrameHeader, type CodecRegistry, type FrameLimits } from '@shoal/codec';
import type { ClientFailure, FitAggregation } from '@shoal/strategy';
import { deferred } from './deferred.js';

/** Params are compared as JSON values with keys in any order. */
function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const sorted = (params: Record<string, unknown>) => JSON.stringify(Object.keys(params).sort().map((key) => [key, params[key]]));
  return sorted(a) === sorted(b);
}

export type CloseReason = 'complete' | 'deadline' | 'stopped';

export interface FitRoundSettings {
  jobId: string;
  round: number;
  baseVersion: number;
  tasks: ReadonlyMap<string, string>;
  tensorSpecs: readonly TensorSpec[];
  uploadCodec: { id: string; params: Record<string, unknown> };
  maxUpdateBytes: number;
  /** Uploads refused for their content may be retried (e.g. corrupted in transit) up to this many times per client. */
  maxUpdateAttempts: number;
  frameLimits: FrameLimits;
  codecs: CodecRegistry;
  /** Device-signature checks (identity): throws the refusal code; returns the payload hash to remember once accepted. */
  verifyUpload?: (clientId: string, result: FitResult, update: Uint8Array) => { payloadSha256: string | undefined };
}

export interface AcceptedUpdate {
  clientId: string;
  numExamples: number;
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
  private readonly finished = new Set<string>();
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
    if (this.finished.has(clientId)) {
      throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${result.round}`);
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
    try {
      payloadSha256 = this.settings.verifyUpload?.(clientId, result, update).payloadSha256;
      this.addToAggregate(clientId, result, update);
    } catch (error) {
      const failure = ShoalError.from(error);
      const attempts = (this.attempts.get(clientId) ?? 0) + 1;
      this.attempts.set(clientId, attempts);
      if (attempts >= this.settings.maxUpdateAttempts) this.fail(clientId, failure.code, failure.message);
      throw failure;
    }
    this.finished.add(clientId);
    this.pending.delete(clientId);
    const accepted: AcceptedUpdate = {
      clientId,
      numExamples: result.numExamples,
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

  private addToAggregate(clientId: string, result: FitResult, update: Uint8Array): void {
    const { settings } = this;
    if (update.byteLength > settings.maxUpdateBytes) {
      throw new ShoalError('PAYLOAD_TOO_LARGE', `update of ${update.byteLength} bytes exceeds this job's limit of ${settings.maxUpdateBytes}`);
    }
    const header = readFrameHeader(update, { registry: settings.codecs, limits: settings.frameLimits });
    if (header.kind !== 'delta') throw new ShoalError('VALIDATION_FAILED', `update frame must be of kind 'delta', got '${header.kind}'`);
    const { uploadCodec } = settings;
    if (header.codec.id !== uploadCodec.id || !sameParams(header.codec.params, uploadCodec.params)) {
      const named = (codec: { id: string; params: Record<string, unknown> }) => `'${codec.id}' ${JSON.stringify(codec.params)}`;
      throw new ShoalError('VALIDATION_FAILED', `update uses codec ${named(header.codec)}; this job uploads with ${named(uploadCodec)}`);
    }
    const expectations = { registry: settings.codecs, limits: settings.frameLimits, expected: settings.tensorSpecs, expectedKind: 'delta' as const };
    this.aggregation.add({
      clientId,
      numExamples: result.numExamples,
      metrics: result.metrics,
      accumulateInto: (target, weight) => void accumulateFrame(update, target, weight, expectations),
      // Only DP strategies ask; decoding one update at a time keeps memory O(model size).
      l2Norm: () => {
        let sum = 0;
        for (const tensor of decodeFrame(update, expectations).tensors) for (const value of tensor.values) sum += value * value;
        return Math.sqrt(sum);
      },
    });
  }

  fail(clientId: string, code: string, message: string): boolean {
    if (!this.pending.delete(clientId)) return false;
    this.finished.add(clientId);
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
