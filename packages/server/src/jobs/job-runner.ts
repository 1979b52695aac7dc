/** Drives one job through its rounds: wait for clients, run a FitRound, store the new version, evaluate. */
import { randomBytes } from 'node:crypto';
import { ShoalError, totalElements, type EvaluateResult, type FitResult } from '@shoal/protocol';
import { SIMD_SUM_KERNELS, decodeFrame, maxEncodedFrameBytes, type CodecRegistry, type FrameLimits } from '@shoal/codec';
import { createRng } from '@shoal/data';
import type { RoundContext, Strategy } from '@shoal/strategy';
import type { Logger } from 'pino';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { CentralEvaluator } from '../workers/central-evaluator.js';
import type { CoordinatorEvents } from '../coordinator-events.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { JobRecord } from '../store/records.js';
import { createStrategy } from './strategy-factory.js';
import { PrivacyLedger } from './privacy-ledger.js';
import { evaluateFederated } from '../rounds/federated-evaluation.js';
import { FitRound } from '../rounds/fit-round.js';
import { recordFitRound, releaseClosedRound } from '../rounds/fit-round-outcome.js';
import type { OpenRound } from '../rounds/open-round.js';
import { openSecureRound, routeSecureMessage } from '../rounds/secure/secure-round-setup.js';
import type { SecureInbound } from '../rounds/secure/secure-round-inbound.js';
import { fitTask } from '../rounds/task-messages.js';
import type { EvaluationRound } from '../rounds/evaluation-round.js';
import { PauseGate } from './pause-gate.js';
import type { UpdateVerifier } from '../identity/update-verifier.js';
import { sleepOn } from '../time/clock.js';
import type { RunnerContext } from '../rounds/runner-context.js';

export type { RunnerContext };
import { UpdateIntake, defaultMaxUpdateNorm } from '../rounds/update-intake.js';

type StopReason = 'stopped' | 'shutdown';
const FRAME_HEADER_ALLOWANCE = 1 << 16;

const taskId = (prefix: string, round: number) => `${prefix}${round}-${randomBytes(6).toString('hex')}`;

export class JobRunner {
  private readonly abort = new AbortController();
  private readonly strategy: Strategy;
  private fitRound: OpenRound | undefined;
  private evaluation: EvaluationRound | undefined;
  private lastClosed: ReturnType<typeof releaseClosedRound> = { round: 0, delivered: new Set(), closedTasks: new Set(), dropped: new Set() };
  private readonly downloads = new Map<string, { round: number; clientId: string }>();
  /** Weights downloads made for the open round's fit tasks, and how many of them were deltas. */
  private fitDownloads = { total: 0, deltas: 0 };
  private readonly log: Logger;
  private readonly privacy: PrivacyLedger;
  /** While paused, the open round finishes and no new round starts. */
  private readonly pauseGate = new PauseGate();
  private updateIntake: UpdateIntake | undefined;

  constructor(
    private readonly job: JobRecord,
    private readonly ctx: RunnerContext,
  ) {
    const lastRound = ctx.store.listRounds(job.id).filter((round) => round.metrics.nextClipNorm !== undefined).at(-1);
    this.strategy = createStrategy(job.config, lastRound === undefined ? {} : { clipNorm: lastRound.metrics.nextClipNorm! });
    this.log = ctx.logger.child({ jobId: job.id });
    // Server optimiser moments, a normBound's clip norm and centre: continue from where the latest version left them.
    const state = ctx.store.strategyStates.load(job.id, ctx.store.getJob(job.id)?.latestVersion ?? job.latestVersion);
    if (state !== undefined) this.strategy.restoreState?.(state);
    this.privacy = new PrivacyLedger(job.config.privacy, () => ctx.store.countRounds(job.id, 'completed'));
  }

  get jobId(): string {
    return this.job.id;
  }

  /** Runs until the job completes, is stopped or the coordinator shuts down; resolves with the final status. */
  async run(): Promise<'completed' | StopReason | { budgetExhausted: string }> {
    const { store, registry } = this.ctx;
    const { config } = this.job;
    const previous = store.listRounds(this.job.id);
    let round = previous.at(-1)?.round ?? 0;
    // Rounds a restart interrupted do not count: the job runs the rounds it asked for, numbered on from the last.
    let counted = previous.filter((record) => record.interrupted !== true).length;
    this.lastClosed.round = round;
    try {
      while (counted < config.rounds) {
        await this.pauseGate.wait(this.abort.signal);
        await registry.waitForIdle(config.minAvailableClients, this.abort.signal);
        if (this.pauseGate.paused) continue;
        const overspend = this.privacy.overspendReason();
        if (overspend !== undefined) return { budgetExhausted: overspend };
        const started = await this.runFitRound(round + 1);
        if (this.abort.signal.aborted) return this.abort.signal.reason as StopReason;
        if (started) {
          round += 1;
          counted += 1;
        }
        else await sleepOn(this.ctx.clock, 200, this.abort.signal);
      }
      return 'completed';
    } catch (error) {
      if (this.abort.signal.aborted) return this.abort.signal.reason as StopReason;
      throw error;
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
    this.fitRound?.close('stopped');
    this.evaluation?.close();
  }

  /** One per job: its decode arrays are reused by every round. */
  private intake(): UpdateIntake {
    const { tensorSpecs, config } = this.job;
    this.updateIntake ??= new UpdateIntake({
      tensorSpecs,
      uploadCodec: config.uploadCodec,
      // A sparse codec's worst case can exceed float32 (indices and values); the limit allows for it.
      maxUpdateBytes: Math.max(totalElements(tensorSpecs) * 4, maxEncodedFrameBytes(tensorSpecs, config.uploadCodec, this.ctx.codecs)) + FRAME_HEADER_ALLOWANCE,
      frameLimits: this.ctx.frameLimits,
      codecs: this.ctx.codecs,
    });
    return this.updateIntake;
  }

  private globalWeights(version: number): Float32Array[] {
    const frame = this.ctx.store.getVersionWeights(this.job.id, version);
    if (frame === undefined) throw new ShoalError('INTERNAL', `model version ${version} of job ${this.job.id} is missing`);
    return decodeFrame(frame, { registry: this.ctx.codecs, expected: this.job.tensorSpecs, expectedKind: 'weights' }).tensors.map((t) => t.values);
  }

  private async runFitRound(round: number): Promise<boolean> {
    const { store, registry, events } = this.ctx;
    const { config, tensorSpecs } = this.job;
    const baseVersion = store.getJob(this.job.id)!.latestVersion;
    const rng = createRng(config.seed).fork(round);
    const context: RoundContext = { round, globalWeights: this.globalWeights(baseVersion), random: () => rng.next(), kernels: SIMD_SUM_KERNELS };
    const candidates = registry.idleCandidates();
    const eligible = config.requireEnrolledDevices ? candidates.filter((candidate) => registry.get(candidate.id)?.enrolled === true) : candidates;
    const plan = this.strategy.configureFit(context, eligible);
    if (plan === undefined) return false;

    const tasks = new Map(plan.clientIds.map((clientId) => [clientId, taskId('t', round)]));
    const startedAt = this.ctx.clock.now();
    const deadlineAt = startedAt + config.roundDeadlineMs;
    registry.setBusy(plan.clientIds, this.job.id);
    store.startRound(
      { jobId: this.job.id, round, status: 'running', statusReason: undefined, startedAt, endedAt: undefined, deadlineAt, selected: plan.clientIds.length, reported: 0, failed: 0, modelVersion: undefined, metrics: {} },
      plan.clientIds,
    );
    const parameterCount = totalElements(tensorSpecs);
    const emitProgress = (open: OpenRound) => this.emitFailureProgress(open);
    const secure = openSecureRound(this.ctx, { job: this.job, round, baseVersion, tasks, aggregation: () => this.strategy.beginAggregation(context), emitProgress });
    const fitRound: OpenRound = secure ?? new FitRound(
      {
        jobId: this.job.id,
        round,
        baseVersion,
        tasks,
        intake: this.intake(),
        maxUpdateNorm: config.maxUpdateNorm ?? defaultMaxUpdateNorm(context.globalWeights),
        weightOf: (clientId, reported) => Math.min(reported, config.maxExamplesPerClient, registry.get(clientId)?.capabilities.numTrainExamples ?? reported),
        maxUpdateAttempts: this.ctx.maxUpdateAttempts,
        verifyUpload: (clientId, result, update) =>
          this.ctx.updates.verify({ jobId: this.job.id, round, clientId, taskId: result.taskId, signature: result.signature, payload: update }, { requireEnrolled: config.requireEnrolledDevices }),
      },
      this.strategy.beginAggregation(context),
    );
    this.fitRound = fitRound;
    this.downloads.clear();
    this.fitDownloads = { total: 0, deltas: 0 };
    for (const [clientId, id] of tasks) this.downloads.set(id, { round, clientId });
    events.emit('round:started', { jobId: this.job.id, round, selected: plan.clientIds, deadlineAt });
    this.log.info({ round, selected: plan.clientIds.length, baseVersion }, 'round started');

    // A secure round that cannot run at all has already failed; its clients get no task.
    for (const [clientId, id] of fitRound.open ? tasks : []) {
      const task = fitTask({ job: this.job, round, version: baseVersion, taskId: id, deadlineAt, config: plan.config, secureAggregation: secure?.settings.task });
      const sent = registry.send(clientId, 'fit:task', task);
      if (!sent) this.dropClient(clientId, 'client went offline before the task was sent');
    }

    const cancelDeadline = this.ctx.clock.after(config.roundDeadlineMs, () => fitRound.close('deadline'));
    const closeReason = await fitRound.whenClosed;
    cancelDeadline();
    registry.setBusy(plan.clientIds, undefined);
    this.lastClosed = releaseClosedRound(this.ctx, this.job.id, fitRound, closeReason);
    events.emit('round:closed', { jobId: this.job.id, round, reason: closeReason, dropped: [...this.lastClosed.dropped] });
    if (this.abort.signal.reason === 'shutdown') return true;

    const closed = { job: this.job, round, baseVersion, startedAt, parameterCount, fitRound, closeReason, downloads: this.fitDownloads, strategy: this.strategy };
    const recorded = await recordFitRound(this.ctx, this.log, this.privacy, closed);
    if (recorded.version === undefined || recorded.stopped) return true;
    const evaluation = { job: this.job, round, version: recorded.version, strategy: this.strategy, registry, store, events, clock: this.ctx.clock, metrics: recorded.metrics };
    await evaluateFederated({ ...evaluation, newTaskId: () => taskId('e', round), onOpen: (open) => (this.evaluation = open) });
    return true;
  }

  /** Routes an uploaded update; throws the ShoalError whose code the client receives. */
  handleFitResult(clientId: string, result: FitResult, update: Uint8Array): void {
    const { store, metrics, events } = this.ctx;
    const round = this.fitRound;
    if (round === undefined || !round.open || result.round !== round.settings.round) {
      // Checked before lateness: a resend to a round the client already delivered to is a duplicate, open or not.
      if (result.round === this.lastClosed.round && this.lastClosed.delivered.has(clientId)) {
        throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${result.round}`);
      }
      if (result.round === this.lastClosed.round && this.lastClosed.closedTasks.has(clientId)) {
        throw new ShoalError('TASK_CLOSED', `client ${clientId}'s task for round ${result.round} ended without an update`);
      }
      if (result.round <= this.lastClosed.round) {
        if (result.round === this.lastClosed.round && this.lastClosed.dropped.delete(clientId)) {
          store.updateContribution(this.job.id, result.round, clientId, { status: 'late', errorCode: 'LATE_UPDATE', bytesUp: update.byteLength });
        }
        throw new ShoalError('LATE_UPDATE', `round ${result.round} of job ${this.job.id} already closed`);
      }
      throw new ShoalError('WRONG_ROUND', `round ${result.round} is not open for job ${this.job.id}`);
    }
    try {
      const accepted = round.accept(clientId, result, update);
      store.updateContribution(this.job.id, result.round, clientId, {
        status: 'accepted',
        clearErrorCode: true,
        numExamples: accepted.numExamples,
        bytesUp: accepted.bytes,
        loss: accepted.loss,
        ...(accepted.accuracy === undefined ? {} : { accuracy: accepted.accuracy }),
        durationMs: accepted.durationMs,
      });
      this.ctx.updates.accepted({ jobId: this.job.id, round: result.round, clientId }, accepted);
      metrics.updates.inc({ outcome: 'accepted' });
      metrics.bytesUp.inc(update.byteLength);
    } catch (error) {
      const failure = ShoalError.from(error);
      if (round.settings.tasks.has(clientId) && !['DUPLICATE_UPDATE', 'NOT_SELECTED', 'TASK_CLOSED'].includes(failure.code)) {
        // Refused uploads still cost bandwidth (bytesUp counts them); a retry that succeeds makes the status 'accepted',
        // and the refusal that used up the last attempt makes it 'failed'.
        const closed = round instanceof FitRound && round.taskClosed(clientId);
        store.updateContribution(this.job.id, result.round, clientId, { status: closed ? 'failed' : 'rejected', errorCode: failure.code, bytesUp: update.byteLength });
      }
      metrics.updates.inc({ outcome: failure.code });
      throw failure;
    } finally {
      events.emit('round:progress', {
        jobId: this.job.id,
        round: result.round,
        reported: round.accepted.length,
        failed: round.failures.length,
        selected: round.settings.tasks.size,
      });
    }
  }

  handleFitFailure(clientId: string, round: number, code: string, message: string): void {
    const open = this.fitRound;
    if (open === undefined || !open.open || open.settings.round !== round) throw new ShoalError('WRONG_ROUND', `round ${round} is not open`);
    if (!open.settings.tasks.has(clientId)) throw new ShoalError('NOT_SELECTED', `client ${clientId} was not selected for round ${round}`);
    if (!open.fail(clientId, code, message)) {
      const closed = open instanceof FitRound && open.taskClosed(clientId);
      throw new ShoalError(closed ? 'TASK_CLOSED' : 'DUPLICATE_UPDATE', closed ? `client ${clientId}'s task for round ${round} is already over` : `client ${clientId} already delivered a result for round ${round}`);
    }
    this.ctx.store.updateContribution(this.job.id, round, clientId, { status: 'failed', errorCode: code });
    this.emitFailureProgress(open);
  }

  handleEvaluateResult(clientId: string, result: EvaluateResult): void {
    const evaluation = this.evaluation;
    if (evaluation === undefined || !evaluation.open || evaluation.round !== result.round) {
      throw new ShoalError('WRONG_ROUND', `no evaluation is open for round ${result.round}`);
    }
    evaluation.accept(clientId, result);
  }

  /** A selected client disconnected: it will not report, so the round need not wait for it. */
  dropClient(clientId: string, message: string): void {
    const round = this.fitRound;
    if (round?.open === true && round.fail(clientId, 'DROPPED', message)) {
      this.ctx.store.updateContribution(this.job.id, round.settings.round, clientId, { status: 'dropped' });
      this.emitFailureProgress(round);
    }
    if (this.evaluation?.open === true) this.evaluation.fail(clientId, 'DROPPED', message);
  }

  /** Routes a secagg:* message to the open secure round; throws the code its sender gets. */
  handleSecureAggregation(clientId: string, inbound: SecureInbound): void {
    routeSecureMessage(this.fitRound, this.lastClosed.round, this.job.id, clientId, inbound);
  }

  /** Failures and drops change the round's progress too (the console shows them live). */
  private emitFailureProgress(round: OpenRound): void {
    const { settings, accepted, failures } = round;
    this.ctx.events.emit('round:progress', { jobId: this.job.id, round: settings.round, reported: accepted.length, failed: failures.length, selected: settings.tasks.size });
  }

  /** Attributes a weights download (full, or a delta from the client's base version) to the task that asked for it. */
  recordDownload(taskIdValue: string | undefined, bytes: number, delta = false): void {
    this.ctx.metrics.bytesDown.inc(bytes);
    const task = taskIdValue === undefined ? undefined : this.downloads.get(taskIdValue);
    if (task === undefined) return;
    this.fitDownloads.total += 1;
    if (delta) this.fitDownloads.deltas += 1;
    this.ctx.store.addBytesDown(this.job.id, task.round, task.clientId, bytes);
  }
}
