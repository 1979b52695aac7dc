/** Creates, resumes and stops jobs, and routes client messages to the runner of the job they name. */
import { randomBytes } from 'node:crypto';
import { ShoalError, parseMessage, totalElements, type EvaluateResult, type FitResult, type MessageOf, type WireError } from '@shoal/protocol';
import { JobRunner, type RunnerContext } from './job-runner.js';
import { normalizeJobConfig } from './job-config.js';
import { fitToMemory } from './strategy-config.js';
import { prepareModel } from '../models/model-factory.js';
import { encodeWeights } from '../models/model-versions.js';
import { classifyJob } from '../rounds/inbound-classification.js';
import { abandonedRound } from '../rounds/round-state.js';
import type { SecureInbound } from '../rounds/secure/secure-round-inbound.js';
import type { JobRecord, JobStatus } from '../store/records.js';
import type { ForwardedMessage, JobCluster, JobCommand, RemoteFitReport } from './job-cluster.js';
import { deliver } from './inbound-delivery.js';

export { INTERRUPTED_REASON } from '../rounds/round-state.js';

export class JobService {
  private readonly runners = new Map<string, JobRunner>();
  private readonly finished = new Map<string, Promise<void>>();

  private cluster: JobCluster | undefined;

  constructor(private readonly ctx: RunnerContext) {}

  /** Several nodes on one database: jobs run under leases, and messages for jobs led elsewhere go to their leader. */
  joinCluster(cluster: JobCluster): void {
    this.cluster = cluster;
    this.ctx.cluster = cluster;
  }

  /** What a cluster node needs to judge uploads for rounds led elsewhere exactly as their leader would. */
  intakeContext(): Pick<RunnerContext, 'registry' | 'updates' | 'codecs' | 'frameLimits' | 'store'> {
    const { registry, updates, codecs, frameLimits, store } = this.ctx;
    return { registry, updates, codecs, frameLimits, store };
  }

  /** Uploads a cluster node judged for a round of a job this node runs, as one batch: each one's refusal, or null. */
  fitReports(jobId: string, nodeId: string, reports: readonly RemoteFitReport[]): (WireError | null)[] {
    const runner = this.runner(jobId);
    return this.fenced(jobId, () => runner.handleFitReports(nodeId, reports));
  }

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
    // The node that created the job runs it; if another node took it in between (it found it without a lease), that one does.
    if (this.cluster === undefined || this.cluster.claim(job.id)) this.launch(job);
    return job;
  }

  /** Resumes every job left running by a previous process on this data directory (in a cluster, the lease keeper adopts them one by one). */
  resumeAll(): void {
    if (this.cluster !== undefined) return;
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

  /**
   * A job this node just took the lease of (its leader died or stopped): the round it left open is failed as
   * interrupted, and the job goes on here from its latest version.
   */
  adopt(jobId: string): void {
    if (this.runners.has(jobId)) return;
    const job = this.ctx.store.getJob(jobId);
    if (job === undefined || (job.status !== 'running' && job.status !== 'paused')) {
      this.cluster?.release(jobId);
      return;
    }
    const { reason, interrupted, errorCode } = abandonedRound({ restart: { jobResumes: true } });
    const failed = this.ctx.store.failOpenRounds(jobId, reason, this.ctx.clock.now(), { interrupted, errorCode });
    // The clients the old leader had given tasks are free again, on every node.
    this.ctx.registry.releaseJob(jobId);
    this.ctx.logger.info({ jobId, failedOpenRounds: failed }, 'took over job');
    this.launch(this.ctx.store.getJob(jobId)!);
  }

  /** This node lost the job's lease: its runner stops at once, writing nothing more (the new leader goes on). */
  relinquish(jobId: string): void {
    const runner = this.runners.get(jobId);
    if (runner === undefined) return;
    this.ctx.logger.warn({ jobId }, 'lost the job lease to another node; stopping here');
    runner.stop('shutdown');
  }

  /** The jobs this node runs now. */
  runningHere(): string[] {
    return [...this.runners.keys()];
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
        if (ShoalError.from(error).code === 'LEASE_LOST') {
          // Another node leads the job now; nothing of this runner's is written any more.
          this.ctx.logger.warn({ jobId: job.id }, 'job lease lost; another node runs this job');
          return;
        }
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
        const ended = this.ctx.store.getJob(job.id)?.status;
        if (ended !== 'running' && ended !== 'paused') this.cluster?.release(job.id);
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
    if (runner === undefined && this.ledElsewhere(job)) return this.cluster!.command(jobId, 'stop');
    if (runner === undefined) throw new ShoalError('CONFLICT', `job ${jobId} is ${job.status}, not running or paused`);
    runner.stop('stopped');
    await this.finished.get(jobId);
    return this.ctx.store.getJob(jobId)!;
  }

  /** The open round (if any) finishes; no new round starts until `resume`. A restart keeps the job paused. */
  pause(jobId: string): JobRecord | Promise<JobRecord> {
    const elsewhere = this.commandElsewhere(jobId, 'pause');
    if (elsewhere !== undefined) return elsewhere;
    const runner = this.activeRunner(jobId, 'running');
    runner.pause();
    this.setStatus(jobId, 'paused', 'paused by an administrator');
    return this.ctx.store.getJob(jobId)!;
  }

  resume(jobId: string): JobRecord | Promise<JobRecord> {
    const elsewhere = this.commandElsewhere(jobId, 'resume');
    if (elsewhere !== undefined) return elsewhere;
    const runner = this.activeRunner(jobId, 'paused');
    runner.resume();
    this.setStatus(jobId, 'running', undefined);
    return this.ctx.store.getJob(jobId)!;
  }

  /** Runs a command a node leading the job sent here (never forwarded again). */
  async commandHere(jobId: string, command: JobCommand): Promise<JobRecord> {
    if (!this.runners.has(jobId)) throw new ShoalError('CONFLICT', `job ${jobId} is not running on this node`);
    return command === 'stop' ? this.stop(jobId) : command === 'pause' ? this.pause(jobId) : this.resume(jobId);
  }

  /** A running or paused job with no runner here: in a cluster, another node leads it. */
  private announcedElsewhere(message: ForwardedMessage, jobId: string): boolean {
    return message.kind === 'fit:result' && this.cluster?.judges(jobId, message.result.round) === true;
  }

  private ledElsewhere(job: JobRecord | undefined): boolean {
    return this.cluster !== undefined && job !== undefined && (job.status === 'running' || job.status === 'paused');
  }

  private commandElsewhere(jobId: string, command: JobCommand): Promise<JobRecord> | undefined {
    if (this.runners.has(jobId) || !this.ledElsewhere(this.ctx.store.getJob(jobId))) return undefined;
    return this.cluster!.command(jobId, command);
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

  /** After shutdown in a cluster: every lease this node held goes, so the other nodes take the jobs over at once. */
  releaseAll(jobIds: readonly string[]): void {
    for (const jobId of jobIds) this.cluster?.release(jobId);
  }

  /** The runner of a running job; for any other job, the refusal of §3 step 1 (unknown, or ended). */
  runner(jobId: string): JobRunner {
    const runner = this.runners.get(jobId);
    if (runner !== undefined) return runner;
    const job = this.ctx.store.getJob(jobId);
    const refusal = classifyJob(jobId, job === undefined ? { status: 'unknown' } : { status: 'ended', jobStatus: job.status })!;
    throw new ShoalError(refusal.code, refusal.message);
  }

  /** Each inbound message goes to this node's runner of its job, or (in a cluster) to the node that leads the job. */
  fitResult(clientId: string, result: FitResult, update: Uint8Array): void | Promise<void> {
    return this.inbound({ kind: 'fit:result', clientId, result, update }, result.jobId);
  }

  fitFailure(clientId: string, failure: MessageOf<'fit-failure'>): void | Promise<void> {
    return this.inbound({ kind: 'fit:failure', clientId, failure }, failure.jobId);
  }

  evaluateResult(clientId: string, result: EvaluateResult): void | Promise<void> {
    return this.inbound({ kind: 'evaluate:result', clientId, result }, result.jobId);
  }

  secureMessage(clientId: string, inbound: SecureInbound): void | Promise<void> {
    return this.inbound({ kind: 'secagg', clientId, inbound }, inbound.message.jobId);
  }

  private inbound(message: ForwardedMessage, jobId: string): void | Promise<void> {
    // An upload for a round its leader announced needs no look at the job: the round is led elsewhere.
    if (!this.runners.has(jobId) && (this.announcedElsewhere(message, jobId) || this.ledElsewhere(this.ctx.store.getJob(jobId)))) return this.cluster!.forward(jobId, message);
    this.receiveHere(message, jobId);
  }

  /** A message for a job this node runs (from one of its clients, or forwarded by another node); never forwarded again. */
  receiveHere(message: ForwardedMessage, jobId: string): void {
    const runner = this.runner(jobId);
    this.fenced(jobId, () => deliver(runner, message));
  }

  /** A write refused for a lost lease stops this node's runner; the client is told to retry (the new leader runs a new round). */
  private fenced<T>(jobId: string, handle: () => T): T {
    try {
      return handle();
    } catch (error) {
      if (ShoalError.from(error).code !== 'LEASE_LOST') throw error;
      this.relinquish(jobId);
      throw new ShoalError('NODE_UNAVAILABLE', `this node no longer runs job ${jobId}; another node took it over, retry`, { details: { jobId } });
    }
  }

  /** Bytes served for a task: counted by this node's runner, or sent to the job's leader. */
  recordDownload(jobId: string, taskId: string | undefined, bytes: number, delta: boolean): void {
    const runner = this.runners.get(jobId);
    if (runner !== undefined) runner.recordDownload(taskId, bytes, delta);
    else if (this.cluster !== undefined && bytes > 0) this.cluster.download(jobId, taskId, bytes, delta);
  }

  findRunner(jobId: string): JobRunner | undefined {
    return this.runners.get(jobId);
  }

  /** A client left: every round it was in drops it. Called from a socket's close, so nothing may throw out of it. */
  clientDisconnected(clientId: string): void {
    for (const [jobId, runner] of [...this.runners]) {
      try {
        this.fenced(jobId, () => runner.dropClient(clientId, 'client disconnected'));
      } catch (error) {
        this.ctx.logger.warn({ err: error, jobId, clientId }, 'could not drop a departed client from its round');
      }
    }
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
