/**
 * What happens once a training round has closed: the quorum check, the strategy's result, the new model version and
 * its central evaluation, the round's metrics and status, and the events that announce them.
 */
import { ShoalError, type RoundMetrics } from '@shoal/protocol';
import type { FitOutcome, Strategy } from '@shoal/strategy';
import type { Logger } from 'pino';
import type { CloseReason, ClosedRound } from './round-state.js';
import type { RunnerContext } from './runner-context.js';
import type { OpenRound } from './open-round.js';
import type { RoundLedger } from './round-ledger.js';
import type { ModelVersions } from '../models/model-versions.js';
import type { PrivacyLedger } from '../jobs/privacy-ledger.js';
import { roundMetrics } from './round-metrics.js';
import type { JobRecord } from '../store/records.js';
import { flagRound } from './round-diagnostics.js';

export interface ClosedRoundFacts {
  job: JobRecord;
  round: number;
  baseVersion: number;
  startedAt: number;
  parameterCount: number;
  fitRound: OpenRound;
  closeReason: CloseReason;
  /** Its state after this round is stored with the new version. */
  strategy: Strategy;
  /** Weights downloads for this round's fit tasks, and how many were deltas. */
  downloads: { total: number; deltas: number };
}

/**
 * Cancels the tasks of clients that neither delivered nor failed (their contributions become 'dropped'); returns
 * who delivered, whose task ended without an update, and who was dropped, so later messages get the right refusal.
 */
export function releaseClosedRound(deps: { registry: Pick<RunnerContext['registry'], 'send'>; ledger: RoundLedger }, jobId: string, fitRound: OpenRound, closeReason: CloseReason): ClosedRound {
  const { state } = fitRound;
  const released = state.release();
  for (const change of released.changes) {
    deps.ledger.apply(state.round, change);
    deps.registry.send(change.clientId, 'task:cancel', { jobId, round: state.round, taskId: state.tasks.get(change.clientId), reason: closeReason });
  }
  return released.closed;
}

export type RecordingContext = Pick<RunnerContext, 'store' | 'events' | 'metrics' | 'clock' | 'evaluator'> & { versions: ModelVersions };

/** Records the closed round (and its new model version, if any); returns the version and the metrics stored. */
export async function recordFitRound(
  ctx: RecordingContext,
  log: Logger,
  privacy: PrivacyLedger,
  facts: ClosedRoundFacts,
): Promise<{ version: number | undefined; metrics: RoundMetrics; stopped: boolean }> {
  const { store, events, metrics, clock } = ctx;
  const { job, round, baseVersion, fitRound } = facts;
  const { accepted, failures, pending } = fitRound.state;
  const quorum = job.config.minFitClients;
  const stopped = facts.closeReason === 'stopped';
  const reached = accepted.length >= quorum;
  const finished = !stopped && reached ? finishSafely(fitRound) : undefined;
  const outcome = finished?.outcome;
  const metricsOfRound: RoundMetrics = {
    ...roundMetrics({
      parameterCount: facts.parameterCount,
      examples: outcome?.metrics.examples ?? 0,
      startedAt: facts.startedAt,
      endedAt: ctx.clock.now(),
      acceptedUpdateBytes: accepted.map((a) => a.bytes),
      contributions: store.listContributions(job.id, round),
      downloads: facts.downloads,
      training: outcome?.metrics,
    }),
    ...(fitRound.kind === 'secure' ? fitRound.roundMetrics() : {}),
  };
  if (outcome?.metrics.clippedUpdates !== undefined) metricsOfRound.clippedUpdates = outcome.metrics.clippedUpdates;
  if (outcome?.metrics.strategyClipNorm !== undefined) metricsOfRound.strategyClipNorm = outcome.metrics.strategyClipNorm;
  if (outcome?.diagnostics !== undefined) {
    const flagged = flagRound(outcome.diagnostics, job.config.outlierThreshold);
    store.updateContributions(job.id, round, flagged.contributions);
    Object.assign(metricsOfRound, flagged.metrics);
    metrics.outlierUpdates.inc(flagged.outlierIds.length);
    if (flagged.outlierIds.length > 0) log.warn({ round, outliers: flagged.outlierIds }, 'updates flagged as outliers');
  }

  let version: { version: number; weights: Uint8Array } | undefined;
  if (outcome?.weights !== undefined) {
    const weights = ctx.versions.encode(outcome.weights);
    version = { version: baseVersion + 1, weights };
    const central = await evaluateCentrally(ctx, log, job, weights);
    if (central !== undefined) {
      metricsOfRound.centralAccuracy = central.accuracy;
      metricsOfRound.centralLoss = central.loss;
    }
  }
  const status = version !== undefined ? 'completed' : 'failed';
  privacy.record(metricsOfRound, outcome?.privacy, status === 'completed');
  const statusReason = stopped
    ? 'job stopped'
    : ((fitRound.kind === 'secure' ? fitRound.abortReason : undefined) ??
      (!reached
        ? `quorum not reached: ${accepted.length} of ${quorum} required updates ${facts.closeReason === 'deadline' ? 'by the deadline' : `(every other selected client failed or left)`}`
        : (finished?.failure ??
          (version === undefined ? 'strategy kept the current model' : undefined))));
  store.finishRound(
    { jobId: job.id, round, status, statusReason, endedAt: clock.now(), reported: accepted.length, failed: failures.length + pending.size, metrics: metricsOfRound },
    version === undefined
      ? undefined
      : { ...version, round, parentVersion: baseVersion, createdAt: clock.now(), centralAccuracy: metricsOfRound.centralAccuracy, centralLoss: metricsOfRound.centralLoss },
  );
  if (version !== undefined) ctx.versions.stored(version.version, outcome!.weights!);
  const state = version === undefined ? undefined : facts.strategy.exportState?.();
  if (version !== undefined && state !== undefined) {
    store.strategyStates.save(job.id, version.version, state);
    store.strategyStates.pruneBefore(job.id, version.version);
  }
  // The round's base stays: clients still holding it may ask for a delta from it.
  if (version !== undefined) store.pruneVersions(job.id, job.config.retention, [baseVersion], clock.now());
  metrics.rounds.inc({ status });
  metrics.roundDuration.observe(metricsOfRound.durationMs! / 1000);
  log.info({ round, status, statusReason, modelVersion: version?.version, ...metricsOfRound }, 'round finished');
  events.emit('round:finished', { jobId: job.id, round, status, modelVersion: version?.version, metrics: metricsOfRound });
  return { version: version?.version, metrics: metricsOfRound, stopped };
}

async function evaluateCentrally(ctx: Pick<RunnerContext, 'evaluator'>, log: Logger, job: JobRecord, weights: Uint8Array): Promise<{ loss: number; accuracy: number } | undefined> {
  const evaluation = job.config.evaluation;
  if (evaluation === undefined || ctx.evaluator === undefined) return undefined;
  try {
    return await ctx.evaluator.evaluate({ jobId: job.id, topology: job.topology, weights, dataset: evaluation.dataset, limit: evaluation.limit });
  } catch (error) {
    log.error({ err: error }, 'central evaluation failed');
    return undefined;
  }
}

/**
 * The strategy's result, or why the round releases nothing: the strategy failed, or the aggregate is not finite
 * (say, updates near the float32 limit summed to Infinity). Either way the job goes on with the next round.
 */
function finishSafely(fitRound: OpenRound): { outcome: FitOutcome | undefined; failure: string | undefined } {
  let outcome: FitOutcome;
  try {
    outcome = fitRound.finish();
  } catch (error) {
    return { outcome: undefined, failure: `aggregation failed: ${ShoalError.from(error).message}` };
  }
  if (outcome.weights !== undefined && !outcome.weights.every((tensor) => tensor.every(Number.isFinite))) {
    return { outcome: { ...outcome, weights: undefined }, failure: 'the aggregate is not finite; no model was released' };
  }
  return { outcome, failure: undefined };
}
