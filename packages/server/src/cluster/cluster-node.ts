/**
 * One coordinator node of a cluster, as JobService sees it (JobCluster): it holds the leases of the jobs it runs and
 * renews them, adopts jobs whose lease ran out (their leader died), hands client messages and commands for jobs led
 * elsewhere to their leader over the bus, and answers the same for the jobs it leads.
 */
import type { Logger } from 'pino';
import { ShoalError } from '@shoal/protocol';
import type { PartialSum } from '@shoal/strategy';
import type { ForwardedMessage, HierarchicalRound, JobCluster, JobCommand } from '../jobs/job-cluster.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobRecord } from '../store/records.js';
import type { LeasesPort } from '../store/store.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { ClusterBus } from './cluster-bus.js';
import { NodeBatches } from './node-batches.js';
import { NodeRounds, fromWire, type FitReportMessage, type WirePartial } from './node-rounds.js';

export interface ClusterNodeSettings {
  leaseTtlMs: number;
  /** How often to look for jobs without a live lease. */
  adoptEveryMs: number;
  /** How long a forwarded message or command may wait for the leader. */
  forwardTimeoutMs: number;
}

interface Inbound {
  jobId: string;
  message: ForwardedMessage;
}

interface Download {
  jobId: string;
  taskId: string | null;
  bytes: number;
  delta: boolean;
}

/** How long a node trusts what it read of a job's leader. */
const LEADER_CACHE_MS = 1_000;
/** How long a node gathers the downloads it served for other nodes' jobs before telling their leaders. */
const DOWNLOAD_BATCH_MS = 200;

export class ClusterNode implements JobCluster {
  private readonly held = new Map<string, number>();
  private readonly leaders = new Map<string, { holder: string | undefined; until: number }>();
  private readonly downloads: NodeBatches<Download>;
  private timers: ReturnType<typeof setInterval>[] = [];
  private jobs: JobService | undefined;
  private rounds: NodeRounds | undefined;

  constructor(
    private readonly bus: ClusterBus,
    private readonly leases: LeasesPort,
    private readonly logger: Logger,
    private readonly metrics: CoordinatorMetrics,
    private readonly settings: ClusterNodeSettings,
  ) {
    this.downloads = new NodeBatches(bus, 'job:downloads', DOWNLOAD_BATCH_MS);
  }

  get nodeId(): string {
    return this.bus.nodeId;
  }

  /** Joins the job service to the cluster and answers the other nodes' messages for the jobs led here. */
  attach(jobs: JobService): void {
    this.jobs = jobs;
    jobs.joinCluster(this);
    const { store, ...intake } = jobs.intakeContext();
    this.rounds = new NodeRounds({ bus: this.bus, getJob: (jobId) => store.getJob(jobId), ...intake, reportTimeoutMs: this.settings.forwardTimeoutMs });
    this.bus.handle('round:reports', (payload, from) => {
      const { jobId, reports } = payload as { jobId: string; reports: FitReportMessage[] };
      const judged = reports.map(({ clientId, result, bytes, accepted, refusal }) => ({
        clientId, result, bytes, judgement: accepted !== undefined ? { accepted } : { refusal: ShoalError.fromWire(refusal) },
      }));
      return jobs.fitReports(jobId, from, judged);
    });
    this.bus.handle('job:inbound', (payload) => {
      const { jobId, message } = payload as Inbound;
      jobs.receiveHere(message, jobId);
      return true;
    });
    this.bus.handle('job:command', (payload) => {
      const { jobId, command } = payload as { jobId: string; command: JobCommand };
      return jobs.commandHere(jobId, command);
    });
    this.bus.handle('job:downloads', (payload) => {
      for (const { jobId, taskId, bytes, delta } of payload as Download[]) jobs.findRunner(jobId)?.recordDownload(taskId ?? undefined, bytes, delta);
    });
  }

  /** Renews the leases held here and adopts orphaned jobs, now and then periodically. */
  start(): void {
    this.adoptOrphans();
    const renew = setInterval(() => this.renewAll(), Math.max(100, Math.floor(this.settings.leaseTtlMs / 3)));
    const adopt = setInterval(() => this.adoptOrphans(), this.settings.adoptEveryMs);
    this.timers = [renew, adopt];
    for (const timer of this.timers) timer.unref();
  }

  /** Stops renewing; the job service's shutdown then releases what is still held (releaseAll). */
  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.downloads.flush();
  }

  heldJobs(): string[] {
    return [...this.held.keys()];
  }

  claim(jobId: string): boolean {
    const lease = this.leases.acquire(jobId, this.nodeId, this.settings.leaseTtlMs);
    if (lease === undefined) return false;
    this.held.set(jobId, lease.epoch);
    this.logger.info({ jobId, node: this.nodeId, epoch: lease.epoch }, 'job lease taken');
    return true;
  }

  release(jobId: string): void {
    const epoch = this.held.get(jobId);
    if (epoch === undefined) return;
    this.held.delete(jobId);
    this.leases.release(jobId, this.nodeId, epoch);
  }

  async forward(jobId: string, message: ForwardedMessage): Promise<void> {
    // An upload for a hierarchical round is checked and summed here; only its verdict crosses to the leader.
    if (message.kind === 'fit:result' && this.rounds?.judges(jobId, message.result.round) === true) {
      this.metrics.clusterUploads.inc({ path: 'summed' });
      return this.rounds.receive(message.clientId, message.result, message.update);
    }
    if (message.kind === 'fit:result') this.metrics.clusterUploads.inc({ path: 'forwarded' });
    await this.bus.request(this.leaderOf(jobId), 'job:inbound', { jobId, message }, this.settings.forwardTimeoutMs);
  }

  command(jobId: string, command: JobCommand): Promise<JobRecord> {
    return this.bus.request<JobRecord>(this.leaderOf(jobId), 'job:command', { jobId, command }, this.settings.forwardTimeoutMs);
  }

  download(jobId: string, taskId: string | undefined, bytes: number, delta: boolean): void {
    const leader = this.currentLeader(jobId);
    if (leader === undefined || leader === this.nodeId) return;
    this.downloads.add(leader, { jobId, taskId: taskId ?? null, bytes, delta });
  }

  judges(jobId: string, round: number): boolean {
    return this.rounds?.judges(jobId, round) === true;
  }


  roundOpened(round: HierarchicalRound): void {
    this.bus.send('round:open', round);
  }

  async collectPartials(jobId: string, round: number, holders: ReadonlyMap<string, ReadonlySet<string>>): Promise<{ partials: PartialSum[]; lost: string | undefined }> {
    const job = this.jobs?.intakeContext().store.getJob(jobId);
    const lengths = job?.tensorSpecs.map((spec) => spec.shape.reduce((a, b) => a * b, 1)) ?? [];
    const partials: PartialSum[] = [];
    const lost: string[] = [];
    await Promise.all(
      [...holders].map(async ([node, clients]) => {
        try {
          const partial = fromWire(await this.bus.request<WirePartial>(node, 'round:partial', { jobId, round }, this.settings.forwardTimeoutMs), lengths);
          // Exactly the updates judged accepted here, or the share is not what the round counted.
          const delivered = new Set(partial.entries.map((entry) => entry.clientId));
          if (delivered.size !== clients.size || [...clients].some((id) => !delivered.has(id))) throw new ShoalError('CONFLICT', `node ${node} delivered ${delivered.size} of ${clients.size} accepted updates`);
          partials.push(partial);
          this.metrics.partialSums.inc();
        } catch (error) {
          this.logger.warn({ err: error, jobId, round, node }, 'a partial sum was not delivered');
          lost.push(`${node} (${clients.size} updates): ${ShoalError.from(error).message}`);
        }
      }),
    );
    return { partials, lost: lost.length === 0 ? undefined : `partial sums were lost: ${lost.join('; ')}` };
  }

  /** The node holding the job's lease, as read at most LEADER_CACHE_MS ago (undefined: none holds it). */
  private currentLeader(jobId: string): string | undefined {
    const now = Date.now();
    let known = this.leaders.get(jobId);
    if (known === undefined || known.until < now) {
      known = { holder: this.leases.current(jobId)?.holder, until: now + LEADER_CACHE_MS };
      this.leaders.set(jobId, known);
    }
    return known.holder;
  }

  /**
   * Where to send a message for the job (one sent to a leader that just lost the job is refused there, and its sender
   * retries); NODE_UNAVAILABLE while no other node holds the lease (a takeover is under way).
   */
  private leaderOf(jobId: string): string {
    const holder = this.currentLeader(jobId);
    if (holder === undefined || holder === this.nodeId) {
      this.leaders.delete(jobId);
      throw new ShoalError('NODE_UNAVAILABLE', `no coordinator node runs job ${jobId} at the moment (its leader is being replaced); retry shortly`, { details: { jobId } });
    }
    return holder;
  }

  private renewAll(): void {
    for (const [jobId, epoch] of [...this.held]) {
      let renewed = false;
      try {
        renewed = this.leases.renew(jobId, this.nodeId, epoch, this.settings.leaseTtlMs);
      } catch (error) {
        this.logger.warn({ err: error, jobId }, 'could not renew a job lease; will retry');
        continue;
      }
      if (renewed) continue;
      this.held.delete(jobId);
      this.jobs?.relinquish(jobId);
    }
  }

  private adoptOrphans(): void {
    if (this.jobs === undefined) return;
    let orphaned: string[];
    try {
      orphaned = this.leases.orphaned(16);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look for jobs without a leader; will retry');
      return;
    }
    for (const jobId of orphaned) {
      if (this.held.has(jobId) || !this.claim(jobId)) continue;
      try {
        this.jobs.adopt(jobId);
      } catch (error) {
        this.logger.error({ err: error, jobId }, 'could not take over a job');
        this.release(jobId);
      }
    }
  }
}
