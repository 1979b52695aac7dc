/**
 * One training round under secure aggregation (Bonawitz et al. 2017): after training, the selected clients run four
 * phases through the coordinator — advertise keys, share keys, masked input, unmask — with a timeout each; the
 * coordinator learns only the sum and hands the strategy one contribution, the weighted mean of the included deltas.
 * Below the threshold at any phase the round aborts: every client still in it is told, and no model is released.
 */
import { ShoalError, type RoundMetrics, type SecureAggregationTask, type TensorSpec } from '@shoal/protocol';
import { SecAggServer, deliveriesToWire, rosterToWire } from '@shoal/secagg';
import type { ClientFailure, FitAggregation, FitOutcome } from '@shoal/strategy';
import { RoundState, type AcceptedUpdate, type CloseReason, type RoundOutcome } from '../round-state.js';
import { checkInbound, type CheckedInbound, type SecureInbound, type SecurePhase } from './secure-round-inbound.js';
import { secureContribution, type ClientReport } from './secure-contribution.js';
import { patchOf, type ContributionPatch } from '../round-ledger.js';
import { systemClock, type Clock } from '../../time/clock.js';

export interface SecureFitRoundSettings {
  jobId: string;
  round: number;
  baseVersion: number;
  /** clientId → taskId of every selected client. */
  tasks: ReadonlyMap<string, string>;
  tensorSpecs: readonly TensorSpec[];
  /** The secureAggregation block every fit:task of the round carried. */
  task: SecureAggregationTask;
  /** Device-signature checks on the masked input (identity), as a plain round's; returns the payload hash to remember. */
  verifyUpload?: (clientId: string, report: { taskId: string; signature?: string | undefined }, payload: Uint8Array) => { payloadSha256: string | undefined };
}

/** The round's I/O, provided by the job runner. */
export interface SecureRoundHooks {
  send(clientId: string, event: string, payload: unknown): void;
  record(clientId: string, patch: ContributionPatch): void;
  addBytesDown(clientId: string, bytes: number): void;
  progress(): void;
  /** The clock phase timeouts run on (default: the system's). */
  clock?: Clock;
  /** What the coordinator holds of each client's input, as it arrives (in-process observers: audits and tests). */
  maskedInputReceived?(clientId: string, masked: Uint32Array): void;
  sumComputed?(included: readonly string[], sum: Uint32Array): void;
  /** A signed masked input was accepted: its hash is remembered so the same bytes cannot come back. */
  payloadAccepted?(clientId: string, payloadSha256: string): void;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

export class SecureFitRound {
  readonly kind = 'secure';
  /**
   * Pending: selected clients whose masked input has not arrived and who have not left. Accepted: clients whose masked
   * input arrived (U3 once that phase closes); emptied if the round aborts.
   */
  readonly state: RoundState;
  abortReason: string | undefined;
  private phase: SecurePhase | 'closed' = 'advertise';
  private readonly server: SecAggServer;
  /** Who the open phase is addressed to, who answered it, and who left the round (disconnected or failed). */
  private members: Set<string>;
  private readonly answered = new Set<string>();
  private readonly departed = new Set<string>();
  private roster: string[] = [];
  private sharers: string[] = [];
  private included: string[] = [];
  private readonly reports = new Map<string, ClientReport>();
  private readonly counts = { advertised: 0, sharedKeys: 0, maskedInputs: 0, unmasked: 0 };
  private sum: Uint32Array | undefined;
  private cancelTimer: () => void = () => undefined;

  constructor(
    readonly settings: SecureFitRoundSettings,
    private readonly aggregation: FitAggregation,
    private readonly hooks: SecureRoundHooks,
    /** Set when the round cannot run securely at all: it fails at once, before any task is sent. */
    refusal?: string,
  ) {
    const { context, threshold, ringBits, length } = settings.task;
    this.server = new SecAggServer({ context, threshold, ringBits, length });
    this.state = new RoundState({ kind: 'secure', round: settings.round, baseVersion: settings.baseVersion, tasks: settings.tasks, maxUpdateAttempts: 1 });
    this.members = new Set(settings.tasks.keys());
    if (refusal !== undefined) {
      for (const id of this.members) this.departed.add(id);
      this.abort(refusal);
    }
  }

  get whenClosed(): Promise<CloseReason> {
    return this.state.whenClosed;
  }

  get open(): boolean {
    return this.phase !== 'closed';
  }

  get pending(): ReadonlySet<string> {
    return this.state.pending;
  }

  get accepted(): readonly AcceptedUpdate[] {
    return this.state.accepted;
  }

  get failures(): readonly ClientFailure[] {
    return this.state.failures;
  }

  /** 'deadline' ends the training phase (later phases have their own timeouts); 'stopped' ends the round. */
  close(reason: CloseReason): void {
    if (!this.open) return;
    if (reason === 'deadline') {
      if (this.phase === 'advertise') this.advance();
      return;
    }
    // Clients past the masked-input phase are not pending; the runner cancels the pending ones.
    if (reason === 'stopped') for (const { clientId } of this.state.accepted) this.cancel(clientId, 'job stopped');
    this.end(reason);
  }

  /** One validated secagg:* message; throws the code its sender gets, and then nothing has changed. */
  receive(clientId: string, inbound: SecureInbound): void {
    if (!this.members.has(clientId) || this.departed.has(clientId)) {
      if (!this.settings.tasks.has(clientId)) throw new ShoalError('NOT_SELECTED', `client ${clientId} was not selected for round ${this.settings.round}`);
      throw new ShoalError('LATE_UPDATE', `client ${clientId} is no longer part of round ${this.settings.round}: it left or missed a phase`);
    }
    const checked = checkInbound(inbound, {
      clientId,
      taskId: this.settings.tasks.get(clientId)!,
      baseVersion: this.settings.baseVersion,
      phase: this.phase as SecurePhase,
      answered: this.answered.has(clientId),
      task: this.settings.task,
      roster: this.roster,
      sharers: this.sharers,
      included: this.included,
    });
    const verified = inbound.event === 'secagg:masked-input' ? this.settings.verifyUpload?.(clientId, inbound.message, inbound.masked) : undefined;
    this.apply(clientId, checked, verified?.payloadSha256);
    if (verified?.payloadSha256 !== undefined) this.hooks.payloadAccepted?.(clientId, verified.payloadSha256);
    this.answered.add(clientId);
    this.hooks.record(clientId, { bytesUp: checked.bytes });
    const accepted = this.state.accepted.find((update) => update.clientId === clientId);
    if (accepted !== undefined) accepted.bytes += checked.bytes;
    this.advanceIfAnswered();
  }

  private apply(clientId: string, checked: CheckedInbound, payloadSha256: string | undefined): void {
    switch (checked.kind) {
      case 'advertise':
        this.server.receiveAdvertise(checked.message);
        this.counts.advertised += 1;
        return;
      case 'share':
        this.server.receiveShareKeys(checked.message);
        this.counts.sharedKeys += 1;
        return;
      case 'mask': {
        this.server.receiveMaskedInput(checked.message);
        this.counts.maskedInputs += 1;
        const { report } = checked;
        this.reports.set(clientId, { numExamples: report.numExamples, loss: report.metrics.loss, accuracy: report.metrics.accuracy });
        // The client weighs its own input, at most weightCap (the coordinator never sees the update itself).
        const weight = Math.min(report.numExamples, this.settings.task.weightCap ?? report.numExamples);
        this.state.accept({ clientId, numExamples: report.numExamples, weight, updateNorm: undefined, bytes: 0, loss: report.metrics.loss, accuracy: report.metrics.accuracy, durationMs: report.durationMs, payloadSha256 });
        this.hooks.record(clientId, { numExamples: report.numExamples, loss: report.metrics.loss, durationMs: report.durationMs, ...(report.metrics.accuracy === undefined ? {} : { accuracy: report.metrics.accuracy }) });
        this.hooks.maskedInputReceived?.(clientId, checked.message.masked);
        this.hooks.progress();
        return;
      }
      case 'unmask':
        this.server.receiveUnmask(checked.message);
        this.counts.unmasked += 1;
    }
  }

  /**
   * A client left (disconnect, fit:failure). Returns true when it had not delivered its input (it counts as failed);
   * a client whose masked input arrived stays in the sum, it just cannot help unmask.
   */
  fail(clientId: string, code: string, message: string): boolean {
    return this.leave(clientId, code === 'DROPPED' ? { drop: message } : { fail: { code, message } }) !== undefined;
  }

  /**
   * A client left: it disconnected (drop) or reported fit:failure. Returns the outcome to record when it had not
   * delivered its input; a client whose masked input arrived stays in the sum, it just cannot help unmask.
   */
  leave(clientId: string, how: { drop: string } | { fail: { code: string; message: string } }): RoundOutcome | undefined {
    if (!this.open || !this.settings.tasks.has(clientId) || this.departed.has(clientId) || this.state.closedTasks.has(clientId)) return undefined;
    this.departed.add(clientId);
    const outcome = 'drop' in how ? this.state.drop(clientId, how.drop) : this.state.fail(clientId, how.fail.code, how.fail.message);
    this.advanceIfAnswered();
    return outcome;
  }

  finish(): FitOutcome {
    const reports = this.included.map((id) => this.reports.get(id)!);
    const contribution = this.sum === undefined ? undefined : secureContribution(this.sum, this.settings.task, this.settings.tensorSpecs, reports);
    if (contribution !== undefined) this.aggregation.add(contribution);
    return this.aggregation.finish(this.state.failures);
  }

  /** The round's secure-aggregation figures for its metrics. */
  roundMetrics(): Pick<RoundMetrics, 'secureAggregation'> {
    const { threshold, ringBits } = this.settings.task;
    return { secureAggregation: { threshold, ringBits, selected: this.settings.tasks.size, ...this.counts } };
  }

  private advanceIfAnswered(): void {
    if (!this.open) return;
    for (const id of this.members) if (!this.answered.has(id) && !this.departed.has(id)) return;
    this.advance();
  }

  /** Closes the open phase: drops who did not answer in time, then opens the next phase or aborts below the threshold. */
  private advance(): void {
    this.cancelTimer();
    for (const id of this.members) {
      if (this.answered.has(id) || this.departed.has(id)) continue;
      this.departed.add(id);
      // A client whose masked input arrived stays in the sum even if it does not help unmask.
      this.recordChange(this.state.timeOut(id, `no answer in phase '${this.phase}'`));
      this.cancel(id, `no answer in phase '${this.phase}' of secure aggregation`);
    }
    try {
      this.openNextPhase();
    } catch (error) {
      this.abort(ShoalError.from(error).message);
    }
    this.hooks.progress();
  }

  private openNextPhase(): void {
    const { jobId, round } = this.settings;
    const base = (clientId: string) => ({ jobId, round, taskId: this.settings.tasks.get(clientId)! });
    switch (this.phase) {
      case 'advertise': {
        const roster = this.server.closeAdvertise();
        this.roster = roster.map((entry) => entry.clientId);
        const clients = rosterToWire(roster);
        this.startPhase('share', this.roster, (id) => ({ ...base(id), clients }), 'secagg:roster');
        return;
      }
      case 'share': {
        const { survivors, deliveries } = this.server.closeShareKeys();
        this.sharers = survivors;
        this.startPhase('mask', survivors, (id) => ({ ...base(id), survivors, shares: deliveriesToWire(deliveries.get(id) ?? []) }), 'secagg:masked-input-request');
        return;
      }
      case 'mask': {
        const included = this.server.closeMaskedInput();
        this.included = included;
        this.startPhase('unmask', included, (id) => ({ ...base(id), included }), 'secagg:unmask-request');
        return;
      }
      case 'unmask': {
        this.sum = this.server.finish();
        this.hooks.sumComputed?.(this.included, this.sum);
        for (const { clientId } of this.state.accepted) this.hooks.record(clientId, { status: 'accepted' });
        this.end('complete');
      }
    }
  }

  private startPhase(phase: SecurePhase, members: readonly string[], payload: (clientId: string) => unknown, event: string): void {
    this.phase = phase;
    this.members = new Set(members.filter((id) => !this.departed.has(id)));
    this.answered.clear();
    for (const id of this.members) {
      const message = payload(id);
      this.hooks.send(id, event, message);
      this.hooks.addBytesDown(id, jsonBytes(message));
    }
    this.cancelTimer = (this.hooks.clock ?? systemClock).after(this.settings.task.phaseTimeoutMs, () => this.advance());
    this.advanceIfAnswered();
  }

  /** Too few clients remain: nothing is released, and everyone still waiting is told. */
  private abort(reason: string): void {
    this.abortReason = reason;
    this.cancelTimer();
    this.phase = 'closed';
    for (const outcome of this.state.abort(reason)) {
      this.recordChange(outcome);
      const id = outcome.change?.clientId;
      if (id !== undefined && !this.departed.has(id)) this.cancel(id, reason);
    }
  }

  private end(reason: CloseReason): void {
    this.cancelTimer();
    this.phase = 'closed';
    this.state.close(reason);
  }

  private recordChange(outcome: RoundOutcome | undefined): void {
    const change = outcome?.change;
    if (change !== undefined) this.hooks.record(change.clientId, patchOf(change));
  }

  private cancel(clientId: string, reason: string): void {
    this.hooks.send(clientId, 'task:cancel', { jobId: this.settings.jobId, round: this.settings.round, taskId: this.settings.tasks.get(clientId), reason });
  }
}
