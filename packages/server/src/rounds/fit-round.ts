/** The plain variant of a training round: each admitted upload is verified, decoded once, bounded and added to the aggregate. */
import { ShoalError, type FitResult } from '@shoal/protocol';
import type { FitAggregation, FitOutcome } from '@shoal/strategy';
import { RoundState, type AcceptedUpdate, type CloseReason, type RoundOutcome } from './round-state.js';
import type { UpdateIntake } from './update-intake.js';

export interface FitRoundSettings {
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
  verifyUpload: (clientId: string, result: FitResult, update: Uint8Array) => { payloadSha256: string | undefined };
}

/** An upload's fate: accepted into the aggregate, or refused with the error its sender gets. */
export type UploadOutcome = RoundOutcome & ({ accepted: AcceptedUpdate; refusal?: undefined } | { accepted?: undefined; refusal: ShoalError });

export class FitRound {
  readonly kind = 'plain';
  readonly state: RoundState;

  constructor(
    private readonly settings: FitRoundSettings,
    private readonly aggregation: FitAggregation,
  ) {
    const { round, baseVersion, tasks, maxUpdateAttempts } = settings;
    this.state = new RoundState({ kind: 'plain', round, baseVersion, tasks, maxUpdateAttempts });
  }

  get open(): boolean {
    return this.state.open;
  }

  get whenClosed(): Promise<CloseReason> {
    return this.state.whenClosed;
  }

  close(reason: CloseReason): void {
    this.state.close(reason);
  }

  /**
   * An upload classifyInbound admitted to this round: signature, then size, frame and norm (the intake); on any
   * refusal nothing in the aggregate changes and the client's attempt is counted.
   */
  receive(clientId: string, result: FitResult, update: Uint8Array): UploadOutcome {
    let accepted: AcceptedUpdate;
    try {
      const { payloadSha256 } = this.settings.verifyUpload(clientId, result, update);
      const { values, l2Norm } = this.settings.intake.decode(update, this.settings.maxUpdateNorm);
      const weight = this.settings.weightOf(clientId, result.numExamples);
      this.aggregation.add({ clientId, numExamples: weight, metrics: result.metrics, values, l2Norm });
      accepted = {
        clientId,
        numExamples: result.numExamples,
        weight,
        updateNorm: l2Norm,
        bytes: update.byteLength,
        loss: result.metrics.loss,
        accuracy: result.metrics.accuracy,
        durationMs: result.durationMs,
        payloadSha256,
      };
    } catch (error) {
      const refusal = ShoalError.from(error);
      return { ...this.state.refuse(clientId, refusal.code, refusal.message), refusal };
    }
    return { ...this.state.accept(accepted), accepted };
  }

  finish(): FitOutcome {
    return this.aggregation.finish(this.state.failures);
  }
}
