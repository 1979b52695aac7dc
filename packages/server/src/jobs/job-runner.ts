/** Drives one job through its rounds: wait for clients, open a round, await its close, record the new version, evaluate. */
import { ShoalError, totalElements, type EvaluateResult, type FitResult, type WireError } from '@shoal/protocol';
import type { RemoteFitReport } from './job-cluster.js';
import type { Strategy } from '@shoal/strategy';
import type { Logger } from 'pino';
import type { JobRecord } from '../store/records.js';
import { createStrategy } from './strategy-factory.js';
import { PrivacyLedger } from './privacy-ledger.js';
import { PauseGate } from './pause-gate.js';
import { evaluateAndRecordRound } from '../rounds/federated-evaluation.js';
import { recordFitRound, releaseClosedRound } from '../rounds/fit-round-outcome.js';
import { RoundInbound } from '../rounds/round-inbound.js';
import { RoundLedger } from '../rounds/round-ledger.js';
import { jobIntake, openFitRound, roundContext, selectClients, sendFitTasks } from '../rounds/round-opening.js';
import { noClosedRound, resumePoint } from '../rounds/round-state.js';
import type { SecureInbound } from '../rounds/secure/secure-round-inbound.js';
import { newTaskId } from '../rounds/task-messages.js';
import type { UpdateIntake } from '../rounds/update-intake.js';
import { DownloadAccounting } from '../models/download-accounting.js';
import { ModelVersions } from '../models/model-versions.js';
import { sleepOn } from '../time/clock.js';
import type { RunnerContext } from '../rounds/runner-context.js';

export type { RunnerContext };

type StopReason = 'stopped' | 'shutdown';

export class JobRunner {
  private readonly abort = new AbortController();
  private readonly strategy: Strategy;
  private readonly log: Logger;
  private readonly privacy: PrivacyLedger;
  /** While paused, the open round finishes and no new round starts. */
  private readonly pauseGate = new PauseGate();
  private readonly ledger: RoundLedger;
  private readonly inbound: RoundInbound;
  private readonly downloads: DownloadAccounting;
  private readonly versions: ModelVersions;
  private updateIntake: UpdateIntake | undefined;

  constructor(
    private readonly job: JobRecord,
    private readonly ctx: RunnerContext,
  ) {
    const { store } = ctx;
    const lastRound = store.listRounds(job.id).filter((round) => round.metrics.nextClipNorm !== undefined).at(-1);
    this.strategy = createStrategy(job.config, lastRound === undefined ? {} : { clipNorm: lastRound.metrics.nextClipNorm! });
    this.log = ctx.logger.child({ jobId: job.id });
    // Server optimiser moments, a normBound's clip norm and centre: continue from where the latest version left them.
    const state = store.strategyStates.load(job.id, store.getJob(job.id)?.latestVersion ?? job.latestVersion);
    if (state !== undefined) this.strategy.restoreState?.(state);
    this.privacy = new PrivacyLedger(job.config.privacy, () => store.countRounds(job.id, 'completed'));
    this.ledger = new RoundLedger({ jobId: job.id, store, metrics: ctx.metrics, events: ctx.events, updates: ctx.updates, requireEnrolled: job.config.requireEnrolledDevices });
    this.inbound = new RoundInbound(job.id, this.ledger);
    this.downloads = new DownloadAccounting(this.ledger, undefined, (error) => this.log.warn({ err: error }, 'could not record download bytes'));
    this.versions = new ModelVersions(job.id, job.tensorSpecs, store, ctx.codecs);
  }

  get jobId(): string {
    return this.job.id;
  }

  /** Runs until the job completes, is stopped or the coordinator shuts down; resolves with the final status. */
  async run(): Promise<'completed' | StopReason | { budgetExhausted: string }> {
    const { store, registry } = this.ctx;
    const { config } = this.job;
    let { lastRound: round, counted } = resumePoint(store.listRounds(this.job.id));
    this.inbound.closed(noClosedRound(round));
    try {
      while (counted < config.rounds) {
        await this.pauseGate.wait(this.abort.signal);
        await registry.waitForIdle(config.minAvailableClients, this.abort.signal);
        if (this.pauseGate.paused) continue;
        const overspend = this.privacy.overspendReason();
        if (overspend !== undefined) return { budgetExhausted: overspend };
        const started = await this.runFitRound(round + 1);
        if (this.abort.signal.aborted) return this.abort.signal.reason as StopReason;
        if (started === 'retry') round += 1;
        else if (started) {
          round += 1;
          counted += 1;
        } else await sleepOn(this.ctx.clock, 200, this.abort.signal);
      }
      return 'completed';
    } catch (error) {
      if (this.abort.signal.aborted) return this.abort.signal.reason as StopReason;
      throw error;
    } finally {
      // Before the service closes the store: late downloads' bytes reach their rows.
      this.downloads.flush();
    }
  }

  pause(): void {
    this.pauseGate.pause();
  }

  resume(): void {
    this.pauseGate.resume();
  }

  stop(reason: StopReason): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason);
    this.inbound.stop();
  }

  /** True once a round ran, false when none could start; 'retry' for a round that does not count (a node lost its share). */
  private async runFitRound(round: number): Promise<boolean | 'retry'> {
    const { store, registry, events, clock } = this.ctx;
    const { job, strategy } = this;
    const baseVersion = store.getJob(job.id)!.latestVersion;
    const context = roundContext(job, round, this.versions.weights(baseVersion));
    const plan = selectClients(registry, strategy, context, job);
    if (plan === undefined) return false;

    this.updateIntake ??= jobIntake(job, this.ctx.codecs, this.ctx.frameLimits);
    const deps = { store, registry, events, clock, ledger: this.ledger, maxUpdateAttempts: this.ctx.maxUpdateAttempts };
    const opened = openFitRound(deps, { job, round, baseVersion, plan, context, aggregation: strategy.beginAggregation(context), intake: this.updateIntake });
    const { fitRound, startedAt, deadlineAt } = opened;
    this.inbound.opened(fitRound);
    this.downloads.roundOpened(round, opened.tasks);
    // In a cluster, a mean round is aggregated where the uploads arrive: each node keeps a partial sum for this one.
    const sketch = this.ctx.cluster !== undefined && fitRound.kind === 'plain' ? fitRound.mergeableSketch() : undefined;
    if (sketch !== undefined && fitRound.kind === 'plain') this.ctx.cluster!.roundOpened({ jobId: job.id, round, baseVersion, maxUpdateNorm: fitRound.maxUpdateNorm, sketch });
    events.emit('round:started', { jobId: job.id, round, selected: plan.clientIds, deadlineAt });
    this.log.info({ round, selected: plan.clientIds.length, baseVersion }, 'round started');
    sendFitTasks(registry, { job, opened, baseVersion, config: plan.config }, (clientId) => this.dropClient(clientId, 'client went offline before the task was sent'));

    const cancelDeadline = clock.after(job.config.roundDeadlineMs, () => fitRound.close('deadline'));
    const closeReason = await fitRound.whenClosed;
    cancelDeadline();
    registry.setBusy(plan.clientIds, undefined);
    const lastClosed = releaseClosedRound({ registry, ledger: this.ledger }, job.id, fitRound, closeReason);
    this.inbound.closed(lastClosed);
    events.emit('round:closed', { jobId: job.id, round, reason: closeReason, dropped: [...lastClosed.dropped] });
    if (this.abort.signal.reason === 'shutdown') return true;
    let lostShare = false;
    if (sketch !== undefined && fitRound.kind === 'plain') {
      const { partials, lost } = await this.ctx.cluster!.collectPartials(job.id, round, fitRound.remoteHolders);
      for (const partial of partials) fitRound.merge(partial);
      // Like a round a crash interrupted: it releases nothing and the job runs another in its place.
      if (lost !== undefined) fitRound.lost(lost);
      lostShare = lost !== undefined;
    }

    const parameterCount = totalElements(job.tensorSpecs);
    const closed = { job, round, baseVersion, startedAt, parameterCount, fitRound, closeReason, downloads: this.downloads.roundClosed(), strategy };
    const recorded = await recordFitRound({ ...this.ctx, versions: this.versions }, this.log, this.privacy, closed);
    if (recorded.version === undefined || recorded.stopped) return lostShare ? 'retry' : true;
    await evaluateAndRecordRound({
      job,
      round,
      version: recorded.version,
      strategy,
      registry,
      store,
      events,
      clock,
      metrics: recorded.metrics,
      newTaskId: () => newTaskId('e', round),
      onOpen: (open) => this.inbound.evaluationOpened(open),
      downloads: this.downloads,
    });
    return true;
  }

  /**
   * Uploads a cluster node judged for the open round, with their contribution writes in one transaction: for each, the
   * refusal the node passes to its client, or null. A lost lease fails the whole batch.
   */
  handleFitReports(nodeId: string, reports: readonly RemoteFitReport[]): (WireError | null)[] {
    return this.ledger.batched(() =>
      reports.map((report) => {
        try {
          if (report.result.jobId !== this.job.id) throw new ShoalError('VALIDATION_FAILED', `a report for job ${report.result.jobId} came in a batch for job ${this.job.id}`);
          this.inbound.fitReport(report.clientId, report.result, report.bytes, nodeId, report.judgement);
          return null;
        } catch (error) {
          const failure = ShoalError.from(error);
          if (failure.code === 'LEASE_LOST') throw failure;
          return failure.toWire();
        }
      }),
    );
  }

  /** Routes an uploaded update; throws the ShoalError whose code the client receives. */
  handleFitResult(clientId: string, result: FitResult, update: Uint8Array): void {
    this.inbound.fitResult(clientId, result, update);
  }

  handleFitFailure(clientId: string, round: number, code: string, message: string): void {
    this.inbound.fitFailure(clientId, round, code, message);
  }

  handleEvaluateResult(clientId: string, result: EvaluateResult): void {
    this.inbound.evaluateResult(clientId, result);
  }

  /** A selected client disconnected: it will not report, so the round need not wait for it. */
  dropClient(clientId: string, message: string): void {
    this.inbound.drop(clientId, message);
  }

  /** Routes a secagg:* message to the open secure round; throws the code its sender gets. */
  handleSecureAggregation(clientId: string, inbound: SecureInbound): void {
    this.inbound.secureMessage(clientId, inbound);
  }

  /** Attributes a weights download (full, or a delta from the client's base version) to the task that asked for it. */
  recordDownload(taskId: string | undefined, bytes: number, delta = false): void {
    this.downloads.record(taskId, bytes, delta);
  }
}
