/**
 * The coordinator without HTTP: store, registry, jobs, evaluator and the fleet protocol sessions. The HTTP
 * `Coordinator` composes it; the simulator drives it directly through an in-memory fleet.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ShoalError } from '@shoal/protocol';
import { DEFAULT_FRAME_LIMITS, defaultCodecRegistry, type CodecRegistry } from '@shoal/codec';
import { initBackend } from '@shoal/ml';
import { ClientRegistry } from './fleet/client-registry.js';
import { CoordinatorEvents } from './coordinator-events.js';
import { WorkerCentralEvaluator, type CentralEvaluator } from './workers/central-evaluator.js';
import type { FleetDependencies, FleetSessionOptions } from './fleet/fleet-session.js';
import { JobService } from './jobs/job-service.js';
import { MemoryFleet } from './fleet/memory-fleet.js';
import { DownloadFrames, type WeightsDownload } from './models/download-frames.js';
import { matchesIfNoneMatch } from './models/blob-cache.js';
import { CoordinatorMetrics } from './metrics.js';
import { resolveSettings, type CoordinatorSettings } from './options.js';
import { PostgresStore } from './store/postgres/postgres-store.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';
import { EdgeArtifactService } from './models/edge-artifacts.js';
import { AuditLog } from './auth/audit-log.js';
import { DeploymentService, type ServingSettings } from './serving/deployment-service.js';
import { WorkerReferenceProfiler, type ReferenceProfiler } from './serving/reference-profiler.js';
import { registerServingMetrics } from './serving/serving-metrics.js';
import { DeviceIdentity } from './identity/device-identity.js';
import { DeviceAccess } from './identity/device-access.js';
import { UpdateVerifier } from './identity/update-verifier.js';
import { systemClock, type Clock } from './time/clock.js';
import { AnonymousAdmission, DEFAULT_ANONYMOUS_ADMISSION, type AnonymousAdmissionSettings } from './identity/anonymous-admission.js';

export const SERVER_VERSION = '0.1.0';

export interface CoordinatorCoreOptions extends Partial<CoordinatorSettings> {
  store?: Store;
  codecs?: CodecRegistry;
  evaluator?: CentralEvaluator;
  logger?: Logger;
  /** Edge serving: retained telemetry windows, canary check interval, reference size. */
  serving?: Partial<ServingSettings>;
  /** Measures a deployment's reference distribution; default: a worker thread running the model on MNIST test images. */
  referenceProfiler?: ReferenceProfiler;
  /** What round deadlines run on; a simulator passes a virtual clock (default: the system clock). */
  clock?: Clock;
  /**
   * What connection timers run on (the hello timeout, registration rate windows): the system clock by default, also
   * in a simulation, whose virtual clock is about rounds.
   */
  connectionClock?: Clock;
  /** Limits on registrations without enrolment (a simulator lifts them for its virtual fleet). */
  anonymousAdmission?: Partial<AnonymousAdmissionSettings>;
  /** Who is connected (default: this process's clients only; a cluster node passes its ClusterRegistry). */
  registry?: ClientRegistry;
  /** Device REST credentials (default: this process's; a cluster node passes credentials valid on every node). */
  deviceAccess?: DeviceAccess;
}

export class CoordinatorCore {
  readonly settings: CoordinatorSettings;
  readonly store: Store;
  readonly registry: ClientRegistry;
  readonly events = new CoordinatorEvents();
  readonly metrics = new CoordinatorMetrics();
  readonly codecs: CodecRegistry;
  readonly jobs: JobService;
  readonly logger: Logger;
  readonly evaluator: CentralEvaluator | undefined;
  private readonly downloads: DownloadFrames;
  /** Edge-optimised artifacts built from model versions, in a worker thread (issue #8). */
  readonly artifacts: EdgeArtifactService;
  /** Deployments of model versions to cohorts, canaries, telemetry and drift. */
  readonly serving: DeploymentService;
  /** Join tokens, enrolment, hello key proofs and revocation. */
  readonly devices: DeviceIdentity;
  /** REST credentials handed to connected clients at hello. */
  readonly deviceAccess: DeviceAccess;
  /** New registrations without enrolment: rate-limited per address, rows bounded and expiring. */
  readonly admission: AnonymousAdmission;
  /** What deadlines, phase timeouts and sessions run on. */
  readonly clock: Clock;
  readonly connectionClock: Clock;

  constructor(options: CoordinatorCoreOptions = {}) {
    const { store, codecs, evaluator, logger, serving, referenceProfiler, clock, connectionClock, anonymousAdmission, registry, deviceAccess, ...settings } = options;
    this.settings = resolveSettings(settings);
    this.registry = registry ?? new ClientRegistry();
    this.deviceAccess = deviceAccess ?? new DeviceAccess();
    this.clock = clock ?? systemClock;
    this.logger = logger ?? pino({ level: this.settings.logLevel, base: { service: 'coordinator' } });
    this.store =
      store ??
      (this.settings.databaseUrl === undefined ? new SqliteStore(join(this.settings.dataDir, 'shoal.sqlite')) : new PostgresStore({ connectionString: this.settings.databaseUrl, cluster: this.settings.redisUrl !== undefined }));
    this.evaluator = evaluator ?? (this.settings.centralEvaluation ? new WorkerCentralEvaluator() : undefined);
    this.codecs = codecs ?? defaultCodecRegistry();
    this.devices = new DeviceIdentity(this.store.devices, { requireEnrolment: this.settings.requireEnrolment });
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
      updates: new UpdateVerifier(this.store.devices),
      clock: this.clock,
      aggregationMemoryBytes: this.settings.aggregationMemoryBytes,
    });
    this.downloads = new DownloadFrames(this.store, this.codecs, this.settings.downloadCacheBytes);
    this.connectionClock = connectionClock ?? systemClock;
    this.admission = new AnonymousAdmission(this.store.clientRetention, this.connectionClock, (id) => this.registry.isOnline(id), { ...DEFAULT_ANONYMOUS_ADMISSION, ...anonymousAdmission });
    this.artifacts = new EdgeArtifactService(this.store);
    this.serving = new DeploymentService({
      store: this.store,
      registry: this.registry,
      logger: this.logger,
      audit: new AuditLog(this.store.admin, this.logger),
      profiler: referenceProfiler ?? new WorkerReferenceProfiler(),
      lookupArtifact: (artifactId) => this.store.artifacts.get(artifactId),
      settings: serving,
    });
    registerServingMetrics(this.metrics.registry, this.store);
    // After the hello reply has gone out (client:online is emitted while hello is handled), send the client its assignment.
    this.events.on('client:online', ({ clientId }) => setImmediate(() => this.serving.clientConnected(clientId)));
    // Retention prunes versions as a round finishes: their cached frames must not outlive them.
    this.events.on('round:finished', ({ jobId }) => this.downloads.revalidate(jobId));
  }

  /** What a fleet session (socket or in-memory) works with. */
  get fleetDependencies(): FleetDependencies {
    const { registry, jobs, store, logger, metrics, events, devices, deviceAccess, serving, admission, connectionClock } = this;
    return { registry, jobs, store, logger, metrics, events, devices, deviceAccess, serving, admission, clock: connectionClock };
  }

  get fleetOptions(): FleetSessionOptions {
    return { heartbeatIntervalMs: this.settings.heartbeatIntervalMs, serverVersion: SERVER_VERSION, helloTimeoutMs: this.settings.helloTimeoutMs };
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
    return this.weightsDownload(jobId, version, options).frame;
  }

  /** The same download with its content ETag; when `ifNoneMatch` names that tag, "not modified" and 0 bytes counted. */
  weightsDownload(jobId: string, version: number, options: { taskId?: string | undefined; base?: number | undefined; ifNoneMatch?: string | undefined }): WeightsDownload {
    const { bytes, etag, delta } = this.downloads.frameFor(jobId, version, options.base);
    const notModified = matchesIfNoneMatch(options.ifNoneMatch, etag);
    this.jobs.recordDownload(jobId, options.taskId, notModified ? 0 : bytes.byteLength, delta);
    return { frame: bytes, etag, notModified };
  }

  /** A model version was removed from the store: its cached frames go too, so it is NOT_FOUND again. */
  forgetModelVersion(jobId: string, version: number): void {
    this.downloads.forgetVersion(jobId, version);
  }

  /** Revokes an enrolled device: it is disconnected, its REST credential ends, it leaves its deployment, and its hellos and updates are refused. */
  revokeDevice(clientId: string, by: string): ReturnType<DeviceIdentity['revokeDevice']> {
    const device = this.devices.revokeDevice(clientId, by);
    this.deviceAccess.revokeClient(clientId);
    this.serving.clientRevoked(clientId);
    this.registry.get(clientId)?.connection.disconnect('device revoked');
    return device;
  }

  /** Stops the jobs (they resume on restart), the evaluator and the store. */
  async stop(): Promise<void> {
    await this.jobs.shutdown();
    await this.serving.stop();
    await this.artifacts.close();
    await this.evaluator?.close();
    this.store.close();
  }
}
