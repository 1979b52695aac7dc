/** The federated-evaluation phase after a round: sampled clients evaluate the new version on their held-out data. */
import type { RoundMetrics } from '@shoal/protocol';
import type { EvaluateOutcome, Strategy } from '@shoal/strategy';
import { createRng } from '@shoal/data';
import type { ClientRegistry } from '../fleet/client-registry.js';
import { EvaluationRound } from './evaluation-round.js';
import { evaluateTask } from './task-messages.js';
import type { JobRecord } from '../store/records.js';
import type { RunnerContext } from './runner-context.js';
import type { CoordinatorEvents } from '../coordinator-events.js';
import type { Clock } from '../time/clock.js';
import type { DownloadAccounting } from '../models/download-accounting.js';

export interface FederatedEvaluationInput {
  job: JobRecord;
  round: number;
  version: number;
  strategy: Strategy;
  registry: ClientRegistry;
  clock: Clock;
  newTaskId: () => string;
  /** Lets the runner route evaluate:result messages (and stop) to the open phase. */
  onOpen: (evaluation: EvaluationRound) => void;
  /** Counts the weights downloads of the phase's tasks (models/download-accounting.ts). */
  downloads: Pick<DownloadAccounting, 'evaluationOpened' | 'evaluationClosed'>;
}

export interface EvaluationCollected {
  /** The strategy's aggregate, or undefined when no client was asked or none answered. */
  outcome: EvaluateOutcome | undefined;
  /** Bytes the phase's tasks downloaded. */
  bytesDown: number;
}

/** Asks sampled clients to evaluate; resolves with the strategy's aggregate and the bytes the phase's downloads moved. */
export async function collectEvaluations(input: FederatedEvaluationInput): Promise<EvaluationCollected> {
  const { job, round, version, strategy, registry } = input;
  const rng = createRng(job.config.seed).fork(`evaluate-${round}`);
  const plan = strategy.configureEvaluate({ round, globalWeights: [], random: () => rng.next() }, registry.idleCandidates());
  if (plan === undefined) return { outcome: undefined, bytesDown: 0 };
  const tasks = new Map(plan.clientIds.map((clientId) => [clientId, input.newTaskId()]));
  const evaluation = new EvaluationRound(round, version, tasks);
  input.onOpen(evaluation);
  input.downloads.evaluationOpened(tasks.values());
  registry.setBusy(plan.clientIds, job.id);
  const deadlineAt = input.clock.now() + job.config.roundDeadlineMs;
  for (const [clientId, id] of tasks) {
    const sent = registry.send(clientId, 'evaluate:task', evaluateTask({ job, round, version, taskId: id, deadlineAt, batchSize: plan.batchSize }));
    if (!sent) evaluation.fail(clientId, 'LATE_UPDATE', 'client went offline');
  }
  const cancelDeadline = input.clock.after(job.config.roundDeadlineMs, () => evaluation.close());
  await evaluation.whenClosed;
  cancelDeadline();
  registry.setBusy(plan.clientIds, undefined);
  return { outcome: strategy.aggregateEvaluate(evaluation.reports, evaluation.failures), bytesDown: input.downloads.evaluationClosed() };
}

/**
 * Runs the phase; adds what its downloads moved to the round's bytes down and, when clients answered, their aggregate
 * to the round's metrics, then stores the metrics and announces them again.
 */
export async function evaluateAndRecordRound(
  input: FederatedEvaluationInput & { store: Pick<RunnerContext['store'], 'updateRoundMetrics'>; events: Pick<CoordinatorEvents, 'emit'>; metrics: RoundMetrics },
): Promise<void> {
  const { outcome, bytesDown } = await collectEvaluations(input);
  if (outcome === undefined && bytesDown === 0) return;
  const { job, round, version, metrics } = input;
  if (bytesDown > 0) metrics.bytesDown = (metrics.bytesDown ?? 0) + bytesDown;
  if (outcome !== undefined) {
    metrics.federatedAccuracy = outcome.accuracy;
    metrics.federatedLoss = outcome.loss;
    metrics.federatedExamples = outcome.numExamples;
  }
  input.store.updateRoundMetrics(job.id, round, metrics);
  input.events.emit('round:finished', { jobId: job.id, round, status: 'completed', modelVersion: version, metrics });
}
