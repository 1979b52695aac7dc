/** Opens the secure round of a secure-aggregation job, its I/O wired to the fleet and to the round ledger. */
import { totalElements } from '@shoal/protocol';
import type { FitAggregation } from '@shoal/strategy';
import type { ClientRegistry } from '../../fleet/client-registry.js';
import type { CoordinatorEvents } from '../../coordinator-events.js';
import type { RoundLedger } from '../round-ledger.js';
import type { Clock } from '../../time/clock.js';
import { secureRoundRefusal, secureTaskBlock } from '../../jobs/secure-aggregation-config.js';
import { SecureFitRound, type SecureRoundHooks } from './secure-fit-round.js';
import type { JobRecord } from '../../store/records.js';

export interface SecureRoundFacts {
  job: JobRecord;
  round: number;
  baseVersion: number;
  tasks: ReadonlyMap<string, string>;
  aggregation: FitAggregation;
}

export interface SecureRoundDependencies {
  registry: Pick<ClientRegistry, 'get' | 'send'>;
  events: Pick<CoordinatorEvents, 'emit'>;
  ledger: RoundLedger;
  clock: Clock;
}

/** The secure round of a job with secure aggregation. */
export function openSecureRound(deps: SecureRoundDependencies, facts: SecureRoundFacts): SecureFitRound {
  const { job, round, tasks } = facts;
  const { registry, events, ledger } = deps;
  // FedAvg weights by examples, capped at the most any selected client announced; client DP weights uniformly.
  const announced = [...tasks.keys()].map((id) => registry.get(id)?.capabilities.numTrainExamples ?? 1);
  const weightCap = job.config.privacy === undefined ? Math.max(1, ...announced) : undefined;
  const task = secureTaskBlock(job.config.secureAggregation!, { jobId: job.id, round, selected: tasks.size, parameterCount: totalElements(job.tensorSpecs), minFitClients: job.config.minFitClients, weightCap });
  const hooks: SecureRoundHooks = {
    send: (clientId, event, payload) => void registry.send(clientId, event, payload),
    record: (clientId, patch) => ledger.record(round, clientId, patch),
    addBytesDown: (clientId, bytes) => ledger.bytesDown(round, clientId, bytes),
    progress: () => ledger.progress(secure.state),
    clock: deps.clock,
    maskedInputReceived: (clientId, masked) => events.emit('secagg:masked-input', { jobId: job.id, round, clientId, masked }),
    sumComputed: (included, sum) => events.emit('secagg:sum', { jobId: job.id, round, included: [...included], sum }),
    payloadAccepted: (clientId, payloadSha256) => ledger.payloadAccepted(round, clientId, payloadSha256),
  };
  const verifyUpload = (clientId: string, report: { taskId: string; signature?: string | undefined }, payload: Uint8Array) => ledger.verifyUpload(round, clientId, report, payload);
  const settings = { jobId: job.id, round, baseVersion: facts.baseVersion, tasks, tensorSpecs: job.tensorSpecs, task, verifyUpload };
  const secure: SecureFitRound = new SecureFitRound(settings, facts.aggregation, hooks, secureRoundRefusal(task));
  return secure;
}
