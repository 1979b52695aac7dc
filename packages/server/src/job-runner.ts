/** Drives one job through its rounds: wait for clients, run a FitRound, store the new version, evaluate. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShoalError, totalElements, type EvaluateResult, type FitResult, type RoundMetrics } from '@shoal/protocol';
import { createAccumulators, decodeFrame, encodeFrame, maxEncodedFrameBytes, type CodecRegistry, type FrameLimits } from '@shoal/codec';
import { createRng } from '@shoal/data';
import type { RoundContext, Strategy } from '@shoal/strategy';
import type { Logger } from 'pino';
import type { ClientRegistry } from './client-registry.js';
import type { CentralEvaluator } from './central-evaluator.js';
import type { CoordinatorEvents } from './coordinator-events.js';
import type { CoordinatorMetrics } from './metrics.js';
import type { SqliteStore } from './store/sqlite-store.js';
import type { JobRecord } from './store/records.js';
import { createStrategy } from './strategy-factory.js';
import { PrivacyLedger } from './privacy-ledger.js';
import { runFederatedEvaluation } from './federated-evaluation.js';
import { FitRound } from './fit-round.js';
import { roundMetrics } from './round-metrics.js';
import { fitTask } from './task-messages.js';
import type { EvaluationRound } from './evaluation-round.js';
import { PauseGate } from './pause-gate.js';

export interface RunnerContext {
  store: SqliteStore;
  registry: ClientRegistry;
  codecs: CodecRegistry;
  evaluator: CentralEvaluator | undefined;
  logger: Logger;
  metrics: CoordinatorMetrics;
  events: CoordinatorEvents;
  frameLimits: FrameLimits;
  maxUpdateAttempts: number;
}

type StopReason = 'stopped' | 'shutdown';
const FRAME_HEADER_ALLOWANCE = 1 << 16;

const taskId = (prefix: string, round: number) => `${prefix}${round}-${randomBytes(6).toString('hex')}`;

export class JobRunner {
  private readonly abort = new AbortController();
  private readonly strategy: Strategy;
  private fitRound: FitRound | undefined;
  private evaluation: EvaluationRound | undefined;
  private lastClosed: { round: number; finished: Set<string>; dropped: Set<string> } = { round: 0, finished: new Set(), dropped: new Set() };
  private readonly downloads = new Map<string, { round: number; clientId: string }>();
  /** Weights downloads made for the open round's fit tasks, and how many of them were deltas. */
  private fitDownloads = { total: 0, deltas: 0 };
  private readonly log: Logger;
  private readonly privacy: PrivacyLedger;
  /** While paused, the open round finishes and no new round starts. */
  private readonly pauseGate = new PauseGate();

  constructor(
    private readonly job: JobRecord,
    private readonly ctx: RunnerContext,
  ) {
    const lastRound = ctx.store.listRounds(job.id).filter((round) => round.metrics.nextClipNorm !== undefined).at(-1);
    this.strategy = createStrategy(job.config, lastRound === undefined ? {} : { clipNorm: lastRound.metrics.nextClipNorm! });
    this.log = ctx.logger.child({ jobId: job.id });
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
    this.lastClosed.round = round;
    try {
      while (round < config.rounds) {
        await this.pauseGate.wait(this.abort.signal);
        await registry.waitForIdle(config.minAvailableClients, this.abort.signal);
        if (this.pauseGate.paused) continue;
        const overspend = this.privacy.overspendReason();
        if (overspend !== undefined) return { budgetExhausted: overspend };
        const started = await this.runFitRound(round + 1);
        if (this.abort.signal.aborted) return this.abort.signal.reason as StopReason;
        if (started) round += 1;
        else await sleep(200, undefined, { signal: this.abort.signal });
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

  private globalWeights(version: number): Float32Array[] {
    const frame = this.ctx.store.getVersionWeights(this.job.id, version);
    if (frame === undefined) throw new ShoalError('INTERNAL', `model version ${version} of job ${this.job.id} is missing`);
    return decodeFrame(frame, { registry: this.ctx.codecs, expected: this.job.tensorSpecs, expectedKind: 'weights' }).tensors.map((t) => t.values);
  }

  private async runFitRound(round: number): Promise<boolean> {
    const { store, registry, events, metrics } = this.ctx;
    const { config, tensorSpecs } = this.job;
    const baseVersion = store.getJob(this.job.id)!.latestVersion;
    const rng = createRng(config.seed).fork(round);
    const context: RoundContext = { round, globalWeights: this.globalWeights(baseVersion), random: () => rng.next(), allocateSum: createAccumulators };
    const plan = this.strategy.configureFit(context, registry.idleCandidates());
    if (plan === undefined) return false;

    const tasks = new Map(plan.clientIds.map((clientId) => [clientId, taskId('t', round)]));
    const startedAt = Date.now();
    const deadlineAt = startedAt + config.roundDeadlineMs;
    registry.setBusy(plan.clientIds, this.job.id);
    store.startRound(
      { jobId: this.job.id, round, status: 'running', statusReason: undefined, startedAt, endedAt: undefined, deadlineAt, selected: plan.clientIds.length, reported: 0, failed: 0, modelVersion: undefined, metrics: {} },
      plan.clientIds,
    );
    const parameterCount = totalElements(tensorSpecs);
    const fitRound = new FitRound(
      {
        jobId: this.job.id,
        round,
        baseVersion,
        tasks,
        tensorSpecs,
        uploadCodec: config.uploadCodec,
        // A sparse codec's worst case can exceed float32 (indices and values); the limit allows for it.
        maxUpdateBytes: Math.max(parameterCount * 4, maxEncodedFrameBytes(tensorSpecs, config.uploadCodec, this.ctx.codecs)) + FRAME_HEADER_ALLOWANCE,
        maxUpdateAttempts: this.ctx.maxUpdateAttempts,
        frameLimits: this.ctx.frameLimits,
        codecs: this.ctx.codecs,
      },
      this.strategy.beginAggregation(context),
    );
    this.fitRound = fitRound;
    this.downloads.clear();
    this.fitDownloads = { total: 0, deltas: 0 };
    for (const [clientId, id] of tasks) this.downloads.set(id, { round, clientId });
    events.emit('round:started', { jobId: this.job.id, round, selected: plan.clientIds, deadlineAt });
    this.log.info({ round, selected: plan.clientIds.length, baseVersion }, 'round started');

    for (const [clientId, id] of tasks) {
      const sent = registry.send(clientId, 'fit:task', fitTask({ job: this.job, round, version: baseVersion, taskId: id, deadlineAt, config: plan.config }));
      if (!sent) this.dropClient(clientId, 'client went offline before the task was sent');
    }

    const timer = setTimeout(() => fitRound.close('deadline'), config.roundDeadlineMs);
    const closeReason = await fitRound.whenClosed;
    clearTimeout(timer);
    registry.setBusy(plan.clientIds, undefined);
    this.lastClosed = {
      round,
      finished: new Set(fitRound.accepted.map((a) => a.clientId).concat(fitRound.failures.map((f) => f.clientId))),
      dropped: new Set(fitRound.pending),
    };
    for (const clientId of fitRound.pending) {
      store.updateContribution(this.job.id, round, clientId, { status: 'dropped', errorCode: 'LATE_UPDATE' });
      registry.send(clientId, 'task:cancel', { jobId: this.job.id, round, taskId: tasks.get(clientId), reason: closeReason });
    }
    if (this.abort.signal.reason === 'shutdown') return true;

    const quorum = config.minFitClients;
    const stopped = closeReason === 'stopped';
    const reached = fitRound.accepted.length >= quorum;
    const outcome = !stopped && reached ? fitRound.finish() : undefined;
    const metricsOfRound = roundMetrics({
      parameterCount,
      examples: outcome?.metrics.examples ?? 0,
      startedAt,
      endedAt: Date.now(),
      acceptedUpdateBytes: fitRound.accepted.map((a) => a.bytes),
      contributions: store.listContributions(this.job.id, round),
      downloads: this.fitDownloads,
      training: outcome?.metrics,
    });

    let version: { version: number; weights: Uint8Array } | undefined;
    if (outcome?.weights !== undefined) {
      const weights = encodeFrame(
        'weights',
        tensorSpecs.map((spec, i) => ({ ...spec, values: outcome.weights![i]! })),
        { id: 'float32' },
        this.ctx.codecs,
      );
      version = { version: baseVersion + 1, weights };
      const central = await this.evaluateCentrally(weights);
      if (central !== undefined) {
        metricsOfRound.centralAccuracy = central.accuracy;
        metricsOfRound.centralLoss = central.loss;
      }
    }
    const status = version !== undefined ? 'completed' : 'failed';
    this.privacy.record(metricsOfRound, outcome?.privacy, status === 'completed');
    const statusReason = stopped
      ? 'job stopped'
      : !reached
        ? `quorum not reached: ${fitRound.accepted.length} of ${quorum} required updates by the deadline`
        : version === undefined
          ? 'strategy kept the current model'
          : undefined;
    store.finishRound(
      { jobId: this.job.id, round, status, statusReason, endedAt: Date.now(), reported: fitRound.accepted.length, failed: fitRound.failures.length + fitRound.pending.size, metrics: metricsOfRound },
      version === undefined
        ? undefined
        : { ...version, round, parentVersion: baseVersion, createdAt: Date.now(), centralAccuracy: metricsOfRound.centralAccuracy, centralLoss: metricsOfRound.centralLoss },
    );
    metrics.rounds.inc({ status });
    metrics.roundDuration.observe(metricsOfRound.durationMs! / 1000);
    this.log.info({ round, status, statusReason, modelVersion: version?.version, ...metricsOfRound }, 'round finished');
    events.emit('round:finished', { jobId: this.job.id, round, status, modelVersion: version?.version, metrics: metricsOfRound });
    if (version !== undefined && !stopped) await this.evaluateFederated(round, version.version, metricsOfRound);
    return true;
  }

  private async evaluateCentrally(weights: Uint8Array): Promise<{ loss: number; accuracy: number } | undefined> {
    const evaluation = this.job.config.evaluation;
    if (evaluation === undefined || this.ctx.evaluator === undefined) return undefined;
    try {
      return await this.ctx.evaluator.evaluate({ jobId: this.job.id, topology: this.job.topology, weights, dataset: evaluation.dataset, limit: evaluation.limit });
    } catch (error) {
      this.log.error({ err: error }, 'central evaluation failed');
      return undefined;
    }
  }

  private async evaluateFederated(round: number, version: number, metricsOfRound: RoundMetrics): Promise<void> {
    const outcome = await runFederatedEvaluation({
      job: this.job,
      round,
      version,
      strategy: this.strategy,
      registry: this.ctx.registry,
      newTaskId: () => taskId('e', round),
      onOpen: (evaluation) => (this.evaluation = evaluation),
    });
    if (outcome === undefined) return;
    metricsOfRound.federatedAccuracy = outcome.accuracy;
    metricsOfRound.federatedLoss = outcome.loss;
    metricsOfRound.federatedExamples = outcome.numExamples;
    this.ctx.store.updateRoundMetrics(this.job.id, round, metricsOfRound);
    this.ctx.events.emit('round:finished', { jobId: this.job.id, round, status: 'completed', modelVersion: version, metrics: metricsOfRound });
  }

  /** Routes an uploaded update; throws the ShoalError whose code the client receives. */
  handleFitResult(clientId: string, result: FitResult, update: Uint8Array): void {
    const { store, metrics, events } = this.ctx;
    const round = this.fitRound;
    if (round === undefined || !round.open || result.round !== round.settings.round) {
      if (result.round === this.lastClosed.round && this.lastClosed.finished.has(clientId)) {
        throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already delivered a result for round ${result.round}`);
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
        numExamples: accepted.numExamples,
        bytesUp: accepted.bytes,
        loss: accepted.loss,
        ...(accepted.accuracy === undefined ? {} : { accuracy: accepted.accuracy }),
        durationMs: accepted.durationMs,
      });
      metrics.updates.inc({ outcome: 'accepted' });
      metrics.bytesUp.inc(update.byteLength);
    } catch (error) {
      const failure = ShoalError.from(error);
      if (round.settings.tasks.has(clientId) && failure.code !== 'DUPLICATE_UPDATE' && failure.code !== 'NOT_SELECTED') {
        // Refused uploads still cost bandwidth; the status becomes 'accepted' if a retry succeeds.
        store.updateContribution(this.job.id, result.round, clientId, { status: 'rejected', errorCode: failure.code, bytesUp: update.byteLength });
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
    if (!open.fail(clientId, code, message)) throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already reported for round ${round}`);
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

  /** Failures and drops change the round's progress too (the console shows them live). */
  private emitFailureProgress(round: FitRound): void {
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
