/** Creates, resumes and stops jobs, and routes client messages to the runner of the job they name. */
import { randomBytes } from 'node:crypto';
import { ShoalError, parseMessage, totalElements, type EvaluateResult, type FitResult, type MessageOf } from '@shoal/protocol';
import { JobRunner, type RunnerContext } from './job-runner.js';
import { normalizeJobConfig } from './job-config.js';
import { fitToMemory } from './strategy-config.js';
import { prepareModel } from '../models/model-factory.js';
import { encodeWeights } from '../models/model-versions.js';
import { classifyJob } from '../rounds/inbound-classification.js';
import { abandonedRound } from '../rounds/round-state.js';
import type { SecureInbound } from '../rounds/secure/secure-round-inbound.js';
import type { JobRecord, JobStatus } from '../store/records.js';

export { INTERRUPTED_REASON } from '../rounds/round-state.js';

export class JobService {
  private readonly runners = new Map<string, JobRunner>();
  private readonly finished = new Map<string, Promise<void>>();

  constructor(private readonly ctx: RunnerContext) {}

  /** Validates the body, builds the model, stores job and version 0, and starts the job. */
  async create(body: unknown): Promise<JobRecord> {
    const request = parseMessage('create-job-request', body);
    const config = normalizeJobConfig(request, this.ctx.codecs);
    const prepared = await prepareModel(config, request.initialWeights, this.ctx.codecs);
    config.maxFitClients = fitToMemory(config.strategy.name, config, totalElements(prepared.tensorSpecs), this.ctx.aggregationMemoryBytes);
    const now = Date.now();
    const job: JobRecord = {
      id: `job-${randomBytes(5).toString('hex')}`,
      name: config.name,
      status: 'running',
      statusReason: undefined,
      config,
      topology: prepared.topology,
      tensorSpecs: prepared.tensorSpecs,
      createdAt: now,
      updatedAt: now,
      currentRound: 0,
      latestVersion: 0,
      bytesUp: 0,
      bytesDown: 0,
    };
    const weights = encodeWeights(prepared.tensorSpecs, prepared.initialWeights.map((tensor) => tensor.values), this.ctx.codecs);
    this.ctx.store.insertJob(job, { version: 0, round: undefined, parentVersion: undefined, createdAt: now, weights });
    this.ctx.logger.info({ jobId: job.id, name: job.name, rounds: config.rounds }, 'job created');
    this.launch(job);
    return job;
  }

  /** Resumes every job left running by a previous process on this data directory. */
  resumeAll(): void {
    for (const job of this.ctx.store.listJobs()) {
      // Every round a previous process left open is over, whatever became of its job.
      const resumes = job.status === 'running' || job.status === 'paused';
      const { reason, interrupted, errorCode } = abandonedRound({ restart: { jobResumes: resumes } });
      const failed = this.ctx.store.failOpenRounds(job.id, reason, this.ctx.clock.now(), { interrupted, errorCode });
      if (!resumes) continue;
      this.ctx.logger.info({ jobId: job.id, failedOpenRounds: failed }, 'resuming job');
      this.launch(this.ctx.store.getJob(job.id)!);
    }
  }

  private launch(job: JobRecord): void {
    const runner = new JobRunner(job, this.ctx);
    if (job.status === 'paused') runner.pause();
    this.runners.set(job.id, runner);
    this.ctx.metrics.jobsRunning.set(this.runners.size);
    this.emitStatus(job.id, job.status, job.statusReason);
    const done = runner.run().then(
      (outcome) => {
        if (typeof outcome === 'object') this.setStatus(job.id, 'budget_exhausted', outcome.budgetExhausted);
        else if (outcome === 'completed') this.setStatus(job.id, 'completed', undefined);
        else if (outcome === 'stopped') this.setStatus(job.id, 'stopped', 'stopped by an administrator');
      },
      (error: unknown) => {
        this.ctx.logger.error({ err: error, jobId: job.id }, 'job failed');
        // No round outlives its job in 'running'.
        const { reason, errorCode } = abandonedRound({ jobFailed: ShoalError.from(error).message });
        this.ctx.store.failOpenRounds(job.id, reason, this.ctx.clock.now(), { errorCode });
        this.setStatus(job.id, 'failed', ShoalError.from(error).message);
      },
    );
    this.finished.set(
      job.id,
      done.finally(() => {
        this.runners.delete(job.id);
        this.finished.delete(job.id);
        this.ctx.metrics.jobsRunning.set(this.runners.size);
      }),
    );
  }

  async stop(jobId: string): Promise<JobRecord> {
    const job = this.ctx.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    const runner = this.runners.get(jobId);
    if (runner === undefined) throw new ShoalError('CONFLICT', `job ${jobId} is ${job.status}, not running or paused`);
    runner.stop('stopped');
    await this.finished.get(jobId);
    return this.ctx.store.getJob(jobId)!;
  }

  /** The open round (if any) finishes; no new round starts until `resume`. A restart keeps the job paused. */
  pause(jobId: string): JobRecord {
    const runner = this.activeRunner(jobId, 'running');
    runner.pause();
    this.setStatus(jobId, 'paused', 'paused by an administrator');
    return this.ctx.store.getJob(jobId)!;
  }

  resume(jobId: string): JobRecord {
    const runner = this.activeRunner(jobId, 'paused');
    runner.resume();
    this.setStatus(jobId, 'running', undefined);
    return this.ctx.store.getJob(jobId)!;
  }

  private activeRunner(jobId: string, expected: JobStatus): JobRunner {
    const job = this.ctx.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    const runner = this.runners.get(jobId);
    if (runner === undefined || job.status !== expected) throw new ShoalError('CONFLICT', `job ${jobId} is ${job.status}, not ${expected}`);
    return runner;
  }

  /** Stops every runner without changing job status, so a restart resumes them. */
  async shutdown(): Promise<void> {
    for (const runner of this.runners.values()) runner.stop('shutdown');
    await Promise.all(this.finished.values());
  }

  /** The runner of a running job; for any other job, the refusal of §3 step 1 (unknown, or ended). */
  runner(jobId: string): JobRunner {
    const runner = this.runners.get(jobId);
    if (runner !== undefined) return runner;
    const job = this.ctx.store.getJob(jobId);
    const refusal = classifyJob(jobId, job === undefined ? { status: 'unknown' } : { status: 'ended', jobStatus: job.status })!;
    throw new ShoalError(refusal.code, refusal.message);
  }

  fitResult(clientId: string, result: FitResult, update: Uint8Array): void {
    this.runner(result.jobId).handleFitResult(clientId, result, update);
  }

  fitFailure(clientId: string, failure: MessageOf<'fit-failure'>): void {
    this.runner(failure.jobId).handleFitFailure(clientId, failure.round, failure.error.code, failure.error.message);
  }

  evaluateResult(clientId: string, result: EvaluateResult): void {
    this.runner(result.jobId).handleEvaluateResult(clientId, result);
  }

  secureMessage(clientId: string, inbound: SecureInbound): void {
    this.runner(inbound.message.jobId).handleSecureAggregation(clientId, inbound);
  }

  findRunner(jobId: string): JobRunner | undefined {
    return this.runners.get(jobId);
  }

  clientDisconnected(clientId: string): void {
    for (const runner of this.runners.values()) runner.dropClient(clientId, 'client disconnected');
  }

  private setStatus(jobId: string, status: JobStatus, reason: string | undefined): void {
    this.ctx.store.setJobStatus(jobId, status, reason, Date.now());
    this.ctx.logger.info({ jobId, status, reason }, 'job status');
    this.emitStatus(jobId, status, reason);
  }

  private emitStatus(jobId: string, status: JobStatus, reason: string | undefined): void {
    this.ctx.events.emit('job:status', { jobId, status, reason });
  }
}
