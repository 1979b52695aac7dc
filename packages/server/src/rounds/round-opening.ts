/**
 * Opening a training round: which clients take part, the round's row and its tasks, the round's variant (plain or
 * secure) with its intake and signature checks, and the fit:task fan-out.
 */
import { totalElements, type FitConfig } from '@shoal/protocol';
import { SIMD_SUM_KERNELS, maxEncodedFrameBytes, type CodecRegistry, type FrameLimits } from '@shoal/codec';
import { createRng } from '@shoal/data';
import type { FitAggregation, FitPlan, RoundContext, Strategy } from '@shoal/strategy';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { JobRecord } from '../store/records.js';
import type { Clock } from '../time/clock.js';
import type { RunnerContext } from './runner-context.js';
import type { OpenRound } from './open-round.js';
import type { RoundLedger } from './round-ledger.js';
import { FitRound } from './fit-round.js';
import { openSecureRound } from './secure/secure-round-setup.js';
import { fitTask, newTaskId } from './task-messages.js';
import { UpdateIntake, defaultMaxUpdateNorm } from './update-intake.js';

const FRAME_HEADER_ALLOWANCE = 1 << 16;

/** A job's intake, one per job: its decode arrays are reused by every round. */
export function jobIntake(job: JobRecord, codecs: CodecRegistry, frameLimits: FrameLimits): UpdateIntake {
  const { tensorSpecs, config } = job;
  return new UpdateIntake({
    tensorSpecs,
    uploadCodec: config.uploadCodec,
    // A sparse codec's worst case can exceed float32 (indices and values); the limit allows for it.
    maxUpdateBytes: Math.max(totalElements(tensorSpecs) * 4, maxEncodedFrameBytes(tensorSpecs, config.uploadCodec, codecs)) + FRAME_HEADER_ALLOWANCE,
    frameLimits,
    codecs,
  });
}

/** The strategy's view of round `round`: the base version's weights and the round's seeded randomness. */
export function roundContext(job: JobRecord, round: number, globalWeights: readonly Float32Array[]): RoundContext {
  const rng = createRng(job.config.seed).fork(round);
  return { round, globalWeights, random: () => rng.next(), kernels: SIMD_SUM_KERNELS };
}

/** The strategy's choice among the idle clients (enrolled devices only, when the job requires them); undefined to wait. */
export function selectClients(registry: Pick<ClientRegistry, 'idleCandidates' | 'get'>, strategy: Strategy, context: RoundContext, job: JobRecord): FitPlan | undefined {
  const candidates = registry.idleCandidates();
  const eligible = job.config.requireEnrolledDevices ? candidates.filter((candidate) => registry.get(candidate.id)?.enrolled === true) : candidates;
  return strategy.configureFit(context, eligible);
}

export interface OpeningDependencies {
  store: Pick<RunnerContext['store'], 'startRound'>;
  registry: Pick<ClientRegistry, 'get' | 'send' | 'setBusy'>;
  events: RunnerContext['events'];
  clock: Clock;
  ledger: RoundLedger;
  maxUpdateAttempts: number;
}

export interface RoundOpening {
  job: JobRecord;
  round: number;
  baseVersion: number;
  plan: FitPlan;
  context: RoundContext;
  aggregation: FitAggregation;
  intake: UpdateIntake;
}

export interface OpenedRound {
  fitRound: OpenRound;
  tasks: ReadonlyMap<string, string>;
  startedAt: number;
  deadlineAt: number;
}

/** Records the round as running with its selected clients (marked busy) and builds its variant; sends nothing yet. */
export function openFitRound(deps: OpeningDependencies, opening: RoundOpening): OpenedRound {
  const { job, round, baseVersion, plan } = opening;
  const { config } = job;
  const tasks = new Map(plan.clientIds.map((clientId) => [clientId, newTaskId('t', round)]));
  const startedAt = deps.clock.now();
  const deadlineAt = startedAt + config.roundDeadlineMs;
  deps.registry.setBusy(plan.clientIds, job.id);
  deps.store.startRound(
    { jobId: job.id, round, status: 'running', statusReason: undefined, startedAt, endedAt: undefined, deadlineAt, selected: plan.clientIds.length, reported: 0, failed: 0, modelVersion: undefined, metrics: {} },
    plan.clientIds,
  );
  const fitRound: OpenRound =
    config.secureAggregation !== undefined
      ? openSecureRound(deps, { job, round, baseVersion, tasks, aggregation: opening.aggregation })
      : new FitRound(
          {
            round,
            baseVersion,
            tasks,
            intake: opening.intake,
            maxUpdateNorm: config.maxUpdateNorm ?? defaultMaxUpdateNorm(opening.context.globalWeights),
            weightOf: (clientId, reported) => Math.min(reported, config.maxExamplesPerClient, deps.registry.get(clientId)?.capabilities.numTrainExamples ?? reported),
            maxUpdateAttempts: deps.maxUpdateAttempts,
            verifyUpload: (clientId, result, update) => deps.ledger.verifyUpload(round, clientId, result, update),
          },
          opening.aggregation,
        );
  return { fitRound, tasks, startedAt, deadlineAt };
}

/** Sends each selected client its fit:task; `offline` is told of those that could not be reached. */
export function sendFitTasks(
  registry: Pick<ClientRegistry, 'send'>,
  facts: { job: JobRecord; opened: OpenedRound; baseVersion: number; config: FitConfig },
  offline: (clientId: string) => void,
): void {
  const { job, opened, baseVersion, config } = facts;
  const { fitRound } = opened;
  // A secure round that cannot run at all has already failed; its clients get no task.
  if (!fitRound.open) return;
  const secureAggregation = fitRound.kind === 'secure' ? fitRound.settings.task : undefined;
  for (const [clientId, taskId] of opened.tasks) {
    const task = fitTask({ job, round: fitRound.state.round, version: baseVersion, taskId, deadlineAt: opened.deadlineAt, config, secureAggregation });
    if (!registry.send(clientId, 'fit:task', task)) offline(clientId);
  }
}
