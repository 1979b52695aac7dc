/** The plain variant of a training round: each admitted upload is verified, decoded once, bounded and added to the aggregate. */
import { ShoalError, type FitResult } from '@shoal/protocol';
import { WeightedDeltaAggregation, type FitAggregation, type FitOutcome, type PartialSum } from '@shoal/strategy';
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

/** What a cluster node tells the leader of an upload it judged for this round. */
export type RemoteJudgement = { accepted: AcceptedUpdate; refusal?: undefined } | { accepted?: undefined; refusal: ShoalError };

export class FitRound {
  readonly kind = 'plain';
  readonly state: RoundState;
  /** Hierarchical rounds: which node holds which accepted update in its partial sum. */
  readonly remoteHolders = new Map<string, Set<string>>();
  /** Why the round's partial sums are incomplete (a node did not deliver its share); finish then releases nothing. */
  private lostPartials: string | undefined;

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

  get maxUpdateNorm(): number {
    return this.settings.maxUpdateNorm;
  }

  /** The count-sketch settings other nodes must use, when the strategy's aggregation can merge partial sums. */
  mergeableSketch(): { buckets: number; seed: number } | undefined {
    return this.aggregation instanceof WeightedDeltaAggregation ? this.aggregation.sketchSettings() : undefined;
  }

  /** An upload a node of the cluster checked (signature, frame, norm) and will hold in its partial sum if accepted here. */
  judgeRemote(clientId: string, nodeId: string, judgement: RemoteJudgement): UploadOutcome {
    if (judgement.refusal !== undefined) return { ...this.state.refuse(clientId, judgement.refusal.code, judgement.refusal.message), refusal: judgement.refusal };
    const outcome = this.state.accept(judgement.accepted);
    let held = this.remoteHolders.get(nodeId);
    if (held === undefined) this.remoteHolders.set(nodeId, (held = new Set()));
    held.add(clientId);
    return { ...outcome, accepted: judgement.accepted };
  }

  /** A node's partial sum (after the round closed); `lost` when a node holding accepted updates did not deliver. */
  merge(partial: PartialSum): void {
    if (!(this.aggregation instanceof WeightedDeltaAggregation)) throw new ShoalError('INTERNAL', 'this round cannot merge partial sums');
    this.aggregation.merge(partial);
  }

  lost(reason: string): void {
    this.lostPartials = reason;
  }

  finish(): FitOutcome {
    if (this.lostPartials !== undefined) throw new ShoalError('NODE_UNAVAILABLE', this.lostPartials);
    return this.aggregation.finish(this.state.failures);
  }
}
