/**
 * The coordinator without HTTP: store, registry, jobs, evaluator and the fleet protocol sessions. The HTTP
 * `Coordinator` composes it; the simulator drives it directly through an in-memory fleet.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ShoalError } from '@shoal/protocol';
import { DEFAULT_FRAME_LIMITS, defaultCodecRegistry, type CodecRegistry } from '@shoal/codec';
import { initBackend } from '@shoal/ml';
import { ClientRegistry } from './client-registry.js';
import { CoordinatorEvents } from './coordinator-events.js';
import { WorkerCentralEvaluator, type CentralEvaluator } from './central-evaluator.js';
import type { FleetDependencies, FleetSessionOptions } from './fleet-session.js';
import { JobService } from './job-service.js';
import { MemoryFleet } from './memory-fleet.js';
import { DownloadFrames } from './download-frames.js';
import { CoordinatorMetrics } from './metrics.js';
import { resolveSettings, type CoordinatorSettings } from './options.js';
import { SqliteStore } from './store/sqlite-store.js';

export const SERVER_VERSION = '0.1.0';

export interface CoordinatorCoreOptions extends Partial<CoordinatorSettings> {
  store?: SqliteStore;
  codecs?: CodecRegistry;
  evaluator?: CentralEvaluator;
  logger?: Logger;
}

export class CoordinatorCore {
  readonly settings: CoordinatorSettings;
  readonly store: SqliteStore;
  readonly registry = new ClientRegistry();
  readonly events = new CoordinatorEvents();
  readonly metrics = new CoordinatorMetrics();
  readonly codecs: CodecRegistry;
  readonly jobs: JobService;
  readonly logger: Logger;
  readonly evaluator: CentralEvaluator | undefined;
  private readonly downloads: DownloadFrames;

  constructor(options: CoordinatorCoreOptions = {}) {
    const { store, codecs, evaluator, logger, ...settings } = options;
    this.settings = resolveSettings(settings);
    this.logger = logger ?? pino({ level: this.settings.logLevel, base: { service: 'coordinator' } });
    this.store = store ?? new SqliteStore(join(this.settings.dataDir, 'shoal.sqlite'));
    this.evaluator = evaluator ?? (this.settings.centralEvaluation ? new WorkerCentralEvaluator() : undefined);
    this.codecs = codecs ?? defaultCodecRegistry();
    this.jobs = new JobService({
      store: this.store,
      registry: this.registry,
      codecs: this.codecs,
      evaluator: this.evaluator,
      logger: this.logger,
      metrics: this.metrics,
      events: this.events,
      frameLimits: { ...DEFAULT_FRAME_LIMITS, maxFrameBytes: this.settings.maxMessageBytes },
      maxUpdateAttempts: this.settings.maxUpdateAttempts,
    });
    this.downloads = new DownloadFrames(this.store, this.codecs);
  }

  /** What a fleet session (socket or in-memory) works with. */
  get fleetDependencies(): FleetDependencies {
    return { registry: this.registry, jobs: this.jobs, store: this.store, logger: this.logger, metrics: this.metrics, events: this.events };
  }

  get fleetOptions(): FleetSessionOptions {
    return { heartbeatIntervalMs: this.settings.heartbeatIntervalMs, serverVersion: SERVER_VERSION };
  }

  /** Connections without sockets: the same sessions, validation and messages as /fleet. */
  memoryFleet(): MemoryFleet {
    return new MemoryFleet(this.fleetDependencies, this.fleetOptions);
  }

  /** Picks the ML backend (for model preparation) and logs the choice. */
  async initBackend(): Promise<void> {
    const backend = await initBackend({ log: (line) => this.logger.info({ component: 'ml' }, line) });
    this.logger.info({ backend: backend.name, detail: backend.detail }, 'ML backend selected');
  }

  /** The topology document a task's modelUrl serves. */
  modelDocument(jobId: string): { modelTopology: Record<string, unknown> } {
    const job = this.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    return { modelTopology: job.topology };
  }

  /**
   * What GET …/models/{version}/weights serves (rest/weights-route.ts): the full model in the job's download codec,
   * or a delta from `base`, with its bytes accounted to the task.
   */
  downloadWeights(jobId: string, version: number, options: { taskId?: string | undefined; base?: number | undefined } = {}): Uint8Array {
    const job = this.store.getJob(jobId);
    if (job === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} does not exist`);
    if (this.store.getVersion(jobId, version) === undefined) throw new ShoalError('NOT_FOUND', `job ${jobId} has no model version ${version}`);
    const { frame, delta } = this.downloads.frameFor(job, version, options.base);
    this.jobs.findRunner(jobId)?.recordDownload(options.taskId, frame.byteLength, delta);
    return frame;
  }

  /** Stops the jobs (they resume on restart), the evaluator and the store. */
  async stop(): Promise<void> {
    await this.jobs.shutdown();
    await this.evaluator?.close();
    this.store.close();
  }
}
