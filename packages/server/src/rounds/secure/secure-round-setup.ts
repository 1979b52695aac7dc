/** Opens the secure round of a secure-aggregation job with its I/O wired to the coordinator, and routes secagg:* messages to it. */
import { ShoalError, totalElements } from '@shoal/protocol';
import type { FitAggregation } from '@shoal/strategy';
import type { RunnerContext } from '../runner-context.js';
import type { OpenRound } from '../open-round.js';
import { secureRoundRefusal, secureTaskBlock } from '../../jobs/secure-aggregation-config.js';
import { SecureFitRound, type SecureRoundHooks } from './secure-fit-round.js';
import type { SecureInbound } from './secure-round-inbound.js';
import type { JobRecord } from '../../store/records.js';

export interface SecureRoundFacts {
  job: JobRecord;
  round: number;
  baseVersion: number;
  tasks: ReadonlyMap<string, string>;
  aggregation: () => FitAggregation;
  emitProgress: (round: OpenRound) => void;
}

/** The job's secure round, or undefined for a job without secure aggregation. */
export function openSecureRound(ctx: RunnerContext, facts: SecureRoundFacts): SecureFitRound | undefined {
  const { job, round, tasks } = facts;
  const config = job.config.secureAggregation;
  if (config === undefined) return undefined;
  // FedAvg weights by examples, capped at the most any selected client announced; client DP weights uniformly.
  const announced = [...tasks.keys()].map((id) => ctx.registry.get(id)?.capabilities.numTrainExamples ?? 1);
  const weightCap = job.config.privacy === undefined ? Math.max(1, ...announced) : undefined;
  const task = secureTaskBlock(config, { jobId: job.id, round, selected: tasks.size, parameterCount: totalElements(job.tensorSpecs), minFitClients: job.config.minFitClients, weightCap });
  const hooks: SecureRoundHooks = {
    send: (clientId, event, payload) => void ctx.registry.send(clientId, event, payload),
    record: (clientId, patch) => {
      ctx.store.updateContribution(job.id, round, clientId, patch);
      if (patch.bytesUp !== undefined) ctx.metrics.bytesUp.inc(patch.bytesUp);
      if (patch.status === 'accepted') ctx.metrics.updates.inc({ outcome: 'accepted' });
    },
    addBytesDown: (clientId, bytes) => {
      ctx.store.addBytesDown(job.id, round, clientId, bytes);
      ctx.metrics.bytesDown.inc(bytes);
    },
    progress: () => facts.emitProgress(secure),
    clock: ctx.clock,
    maskedInputReceived: (clientId, masked) => ctx.events.emit('secagg:masked-input', { jobId: job.id, round, clientId, masked }),
    sumComputed: (included, sum) => ctx.events.emit('secagg:sum', { jobId: job.id, round, included: [...included], sum }),
    payloadAccepted: (clientId, payloadSha256) => ctx.updates.accepted({ jobId: job.id, round, clientId }, { payloadSha256 }),
  };
  const verifyUpload = (clientId: string, report: { taskId: string; signature?: string | undefined }, payload: Uint8Array) =>
    ctx.updates.verify({ jobId: job.id, round, clientId, taskId: report.taskId, signature: report.signature, payload }, { requireEnrolled: job.config.requireEnrolledDevices });
  const settings = { jobId: job.id, round, baseVersion: facts.baseVersion, tasks, tensorSpecs: job.tensorSpecs, task, verifyUpload };
  const secure = new SecureFitRound(settings, facts.aggregation(), hooks, secureRoundRefusal(task));
  return secure;
}

/** Hands a secagg:* message to the open round when it is that secure round; otherwise throws the code its sender gets. */
export function routeSecureMessage(open: OpenRound | undefined, lastClosedRound: number, jobId: string, clientId: string, inbound: SecureInbound): void {
  const number = inbound.message.round;
  if (open?.open === true && open.settings.round === number) {
    if (!(open instanceof SecureFitRound)) throw new ShoalError('CONFLICT', `round ${number} of job ${jobId} does not use secure aggregation`);
    open.receive(clientId, inbound);
    return;
  }
  if (number <= lastClosedRound) throw new ShoalError('LATE_UPDATE', `round ${number} of job ${jobId} already closed`);
  throw new ShoalError('WRONG_ROUND', `round ${number} is not open for job ${jobId}`);
}
