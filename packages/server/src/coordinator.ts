/** Composition root of the coordinator: HTTP + socket.io on one port, SQLite store, registry, jobs and evaluator. */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { Server as SocketServer } from 'socket.io';
import { pino, type Logger } from 'pino';
import { FLEET_NAMESPACE } from '@shoal/protocol';
import { DEFAULT_FRAME_LIMITS, defaultCodecRegistry, type CodecRegistry } from '@shoal/codec';
import { initBackend } from '@shoal/ml';
import { ClientRegistry } from './client-registry.js';
import { CoordinatorEvents } from './coordinator-events.js';
import { WorkerCentralEvaluator, type CentralEvaluator } from './central-evaluator.js';
import { FleetGateway } from './fleet-gateway.js';
import { JobService } from './job-service.js';
import { CoordinatorMetrics } from './metrics.js';
import { resolveSettings, type CoordinatorSettings } from './options.js';
import { apiRouter } from './rest/api-router.js';
import { errorHandler, notFound } from './rest/errors.js';
import { opsRouter } from './rest/ops-router.js';
import { SqliteStore } from './store/sqlite-store.js';

export const SERVER_VERSION = '0.1.0';

export interface CoordinatorOptions extends Partial<CoordinatorSettings> {
  store?: SqliteStore;
  codecs?: CodecRegistry;
  evaluator?: CentralEvaluator;
  logger?: Logger;
}

export class Coordinator {
  readonly settings: CoordinatorSettings;
  readonly store: SqliteStore;
  readonly registry = new ClientRegistry();
  readonly events = new CoordinatorEvents();
  readonly metrics = new CoordinatorMetrics();
  readonly jobs: JobService;
  readonly logger: Logger;
  private readonly evaluator: CentralEvaluator | undefined;
  private readonly http: HttpServer;
  private readonly io: SocketServer;

  constructor(options: CoordinatorOptions = {}) {
    const { store, codecs, evaluator, logger, ...settings } = options;
    this.settings = resolveSettings(settings);
    this.logger = logger ?? pino({ level: this.settings.logLevel, base: { service: 'coordinator' } });
    this.store = store ?? new SqliteStore(join(this.settings.dataDir, 'shoal.sqlite'));
    this.evaluator = evaluator ?? (this.settings.centralEvaluation ? new WorkerCentralEvaluator() : undefined);
    const context = {
      store: this.store,
      registry: this.registry,
      codecs: codecs ?? defaultCodecRegistry(),
      evaluator: this.evaluator,
      logger: this.logger,
      metrics: this.metrics,
      events: this.events,
      frameLimits: { ...DEFAULT_FRAME_LIMITS, maxFrameBytes: this.settings.maxMessageBytes },
      maxUpdateAttempts: this.settings.maxUpdateAttempts,
    };
    this.jobs = new JobService(context);

    const app = express();
    app.disable('x-powered-by');
    app.use(opsRouter({ registry: this.registry, metrics: this.metrics, startedAt: Date.now(), serverVersion: SERVER_VERSION }));
    app.use(
      '/api/v1',
      apiRouter({
        store: this.store,
        registry: this.registry,
        jobs: this.jobs,
        metrics: this.metrics,
        serverVersion: SERVER_VERSION,
        maxJsonBodyBytes: this.settings.maxJsonBodyBytes,
      }),
    );
    app.use(notFound);
    app.use(errorHandler(this.logger, this.metrics));
    this.http = createServer(app);
    this.io = new SocketServer(this.http, {
      maxHttpBufferSize: this.settings.maxMessageBytes,
      pingInterval: 10_000,
      pingTimeout: 20_000,
      serveClient: false,
    });
    new FleetGateway(
      { registry: this.registry, jobs: this.jobs, store: this.store, logger: this.logger, metrics: this.metrics, events: this.events },
      { heartbeatIntervalMs: this.settings.heartbeatIntervalMs, serverVersion: SERVER_VERSION },
    ).attach(this.io.of(FLEET_NAMESPACE));
  }

  /** Listens, then resumes jobs a previous process left running on this data directory. */
  async start(): Promise<{ url: string; port: number }> {
    const backend = await initBackend({ log: (line) => this.logger.info({ component: 'ml' }, line) });
    this.logger.info({ backend: backend.name, detail: backend.detail }, 'ML backend selected');
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.settings.port, this.settings.host, () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    const url = `http://${this.settings.host === '0.0.0.0' ? '127.0.0.1' : this.settings.host}:${port}`;
    this.logger.info({ port, url, dataDir: this.settings.dataDir }, 'listening');
    this.jobs.resumeAll();
    return { url, port };
  }

  async stop(): Promise<void> {
    await this.jobs.shutdown();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    if (this.http.listening) await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.evaluator?.close();
    this.store.close();
    this.logger.info('stopped');
  }
}
