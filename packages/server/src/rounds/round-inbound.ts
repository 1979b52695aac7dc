/**
 * A job's inbound round messages (fit:result, fit:failure, secagg:*, evaluate:result, a client leaving): each is
 * classified once (classifyInbound), handed to the open round's variant, and its outcome recorded by the ledger.
 * Every method throws the ShoalError whose code the sender receives.
 */
import { ShoalError, type EvaluateResult, type FitResult } from '@shoal/protocol';
import { classifyInbound, taskOverRefusal, type InboundMessage, type JobView, type Refusal } from './inbound-classification.js';
import type { EvaluationRound } from './evaluation-round.js';
import type { OpenRound } from './open-round.js';
import type { RoundLedger } from './round-ledger.js';
import { noClosedRound, type ClosedRound } from './round-state.js';
import type { SecureInbound } from './secure/secure-round-inbound.js';
import type { FitRound, RemoteJudgement, UploadOutcome } from './fit-round.js';

const refusalError = (refusal: Refusal) => new ShoalError(refusal.code, refusal.message);

export class RoundInbound {
  private current: OpenRound | undefined;
  private lastClosed: ClosedRound = noClosedRound(0);
  private evaluation: EvaluationRound | undefined;

  constructor(
    private readonly jobId: string,
    private readonly ledger: RoundLedger,
  ) {}

  /** What classifyInbound reads of this job's rounds. */
  view(): JobView {
    return { status: 'running', open: this.current?.state, lastClosed: this.lastClosed };
  }

  opened(round: OpenRound): void {
    this.current = round;
  }

  /** The open round was released: later messages for it are checked against what it left. */
  closed(lastClosed: ClosedRound): void {
    this.lastClosed = lastClosed;
  }

  evaluationOpened(evaluation: EvaluationRound): void {
    this.evaluation = evaluation;
  }

  /** Stops the open round and the open evaluation. */
  stop(): void {
    this.current?.close('stopped');
    this.evaluation?.close();
  }

  fitResult(clientId: string, result: FitResult, update: Uint8Array): void {
    this.fitUpload(clientId, result, update.byteLength, (round) => round.receive(clientId, result, update));
  }

  /** An upload a cluster node judged for this job's open round (hierarchical aggregation): classified here, once, like any other. */
  fitReport(clientId: string, result: FitResult, bytes: number, nodeId: string, judgement: RemoteJudgement): void {
    this.fitUpload(clientId, result, bytes, (round) => round.judgeRemote(clientId, nodeId, judgement));
  }

  private fitUpload(clientId: string, result: FitResult, bytes: number, judge: (round: FitRound) => UploadOutcome): void {
    const message: InboundMessage = { event: 'fit:result', clientId, jobId: this.jobId, round: result.round, taskId: result.taskId, modelVersion: result.modelVersion };
    const classified = classifyInbound(message, this.view());
    const round = this.current;
    if (classified.verdict === 'refused' && !classified.inOpenRound) {
      if (classified.recordLate && this.lastClosed.dropped.delete(clientId)) {
        this.ledger.apply(result.round, { clientId, status: 'late', errorCode: 'LATE_UPDATE' }, bytes);
      }
      throw refusalError(classified);
    }
    // The open round saw it: whatever the outcome, its progress is announced.
    try {
      if (classified.verdict === 'refused') {
        if (classified.recordRejected) this.ledger.apply(result.round, { clientId, status: 'rejected', errorCode: classified.code }, bytes);
        this.ledger.refused(classified.code);
        throw refusalError(classified);
      }
      if (round?.kind !== 'plain') throw new ShoalError('INTERNAL', `round ${result.round} of job ${this.jobId} was classified open for fit:result but is not a plain round`);
      const outcome = judge(round);
      if (outcome.refusal !== undefined) {
        // Refused uploads still cost bandwidth; a retry that succeeds makes the status 'accepted', and the refusal that
        // used up the last attempt makes it 'failed'.
        this.ledger.apply(result.round, outcome.change, bytes);
        this.ledger.refused(outcome.refusal.code);
        throw outcome.refusal;
      }
      this.ledger.accepted(result.round, outcome.accepted);
    } finally {
      if (round !== undefined) this.ledger.progress(round.state);
    }
  }

  fitFailure(clientId: string, roundNumber: number, code: string, message: string): void {
    const classified = classifyInbound({ event: 'fit:failure', clientId, jobId: this.jobId, round: roundNumber }, this.view());
    if (classified.verdict === 'refused') throw refusalError(classified);
    const round = this.current!;
    const outcome = round.kind === 'plain' ? round.state.fail(clientId, code, message) : round.leave(clientId, { fail: { code, message } });
    if (outcome === undefined) throw refusalError(taskOverRefusal(round.kind === 'plain' && round.state.closedTasks.has(clientId), clientId, roundNumber));
    this.ledger.applyOutcome(round.state, outcome);
  }

  /** Routes a secagg:* message to the open secure round. */
  secureMessage(clientId: string, inbound: SecureInbound): void {
    const classified = classifyInbound({ event: 'secagg', clientId, jobId: this.jobId, round: inbound.message.round }, this.view());
    if (classified.verdict === 'refused') throw refusalError(classified);
    const round = this.current;
    if (round?.kind !== 'secure') throw new ShoalError('INTERNAL', `round ${inbound.message.round} of job ${this.jobId} is not a secure round`);
    round.receive(clientId, inbound);
  }

  evaluateResult(clientId: string, result: EvaluateResult): void {
    const evaluation = this.evaluation;
    if (evaluation === undefined || !evaluation.open || evaluation.round !== result.round) {
      throw new ShoalError('WRONG_ROUND', `no evaluation is open for round ${result.round}`);
    }
    evaluation.accept(clientId, result);
  }

  /** A selected client disconnected: it will not report, so the round need not wait for it. */
  drop(clientId: string, message: string): void {
    const round = this.current;
    if (round?.open === true) {
      const outcome = round.kind === 'plain' ? round.state.drop(clientId, message) : round.leave(clientId, { drop: message });
      this.ledger.applyOutcome(round.state, outcome);
    }
    if (this.evaluation?.open === true) this.evaluation.fail(clientId, 'DROPPED', message);
  }
}
