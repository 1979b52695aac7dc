/** Composition root of the coordinator: HTTP + socket.io on one port, SQLite store, registry, jobs and evaluator. */
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server as SocketServer } from 'socket.io';
import type { Logger } from 'pino';
import { FLEET_NAMESPACE } from '@shoal/protocol';
import { CONSOLE_NAMESPACE } from '@shoal/protocol/console';
import type { ClientRegistry } from './fleet/client-registry.js';
import type { CoordinatorEvents } from './coordinator-events.js';
import type { CentralEvaluator } from './workers/central-evaluator.js';
import { CoordinatorCore, SERVER_VERSION, type CoordinatorCoreOptions } from './coordinator-core.js';
import { ConnectionCap, descriptorLimit } from './fleet/connection-cap.js';
import { FleetGateway } from './fleet/fleet-gateway.js';
import { PRE_HELLO_MAX_BYTES, capMessages } from './fleet/message-cap.js';
import type { JobService } from './jobs/job-service.js';
import type { CoordinatorMetrics } from './metrics.js';
import type { CoordinatorSettings } from './options.js';
import { apiRouter } from './rest/api-router.js';
import { errorHandler, notFound } from './rest/errors.js';
import { opsRouter } from './rest/ops-router.js';
import { AdminAuth } from './auth/admin-auth.js';
import { AuditLog } from './auth/audit-log.js';
import { ConsoleGateway } from './console/console-gateway.js';
import { consoleFiles } from './rest/static-files.js';
import type { Store } from './store/store.js';
import { ClusterParts, defaultNodeId } from './cluster/cluster-setup.js';
import { resolveSettings } from './options.js';
import proxyaddr from 'proxy-addr';

/** A hop count as a number; anything else as express takes it (names and CIDRs, comma-separated). */
const trustSetting = (value: string): number | string => (/^\d+$/.test(value.trim()) ? Number(value) : value);

export { SERVER_VERSION };

export interface CoordinatorOptions extends CoordinatorCoreOptions {}

export class Coordinator {
  readonly settings: CoordinatorSettings;
  readonly store: Store;
  readonly registry: ClientRegistry;
  readonly events: CoordinatorEvents;
  readonly metrics: CoordinatorMetrics;
  readonly jobs: JobService;
  readonly logger: Logger;
  private readonly evaluator: CentralEvaluator | undefined;
  private readonly http: HttpServer;
  private readonly io: SocketServer;
  private readonly core: CoordinatorCore;
  /** The interim admin credential and console sessions (identity, issue #5, will replace it). */
  readonly auth: AdminAuth;
  readonly audit: AuditLog;
  private readonly detachConsole: () => void;
  /** Set when this process is one node of a cluster (--redis-url). */
  private readonly cluster: ClusterParts | undefined;

  constructor(options: CoordinatorOptions = {}) {
    // socket.io's engine options; a cluster node's server also carries the Redis adapter.
    let cap: ConnectionCap | undefined;
    const ioOptions = {
      maxHttpBufferSize: options.maxMessageBytes ?? resolveSettings({}).maxMessageBytes,
      // New Engine.IO sessions beyond the cap's headroom are refused before they hold anything (fleet/connection-cap.ts).
      allowRequest: (_request: unknown, callback: (error: string | null | undefined, success: boolean) => void) => cap!.allowTransport(this.io.engine.clientsCount, callback),
      // socket.io's defaults: a dead connection is found within 45 s, at one ping per device per 25 s when idle.
      pingInterval: 25_000,
      pingTimeout: 20_000,
      serveClient: false,
    };
    const clustered = resolveSettings({ redisUrl: options.redisUrl, databaseUrl: options.databaseUrl, nodeId: options.nodeId });
    this.cluster = clustered.redisUrl === undefined ? undefined : new ClusterParts(clustered.redisUrl, clustered.nodeId ?? defaultNodeId(), ioOptions);
    this.core = new CoordinatorCore(this.cluster === undefined ? options : { ...options, registry: this.cluster.registry, deviceAccess: this.cluster.deviceAccess });
    ({ settings: this.settings, logger: this.logger, store: this.store, evaluator: this.evaluator, jobs: this.jobs } = this.core);
    ({ registry: this.registry, events: this.events, metrics: this.metrics } = this.core);

    this.auth = new AdminAuth(this.store.admin, { adminToken: this.settings.adminToken, sessionTtlMs: this.settings.sessionTtlMs, now: () => this.core.clock.now() });
    this.audit = new AuditLog(this.store.admin, this.logger);
    const app = express();
    app.disable('x-powered-by');
    // Only /api/v1 as documented reaches the API (which routes strictly and case-sensitively itself, rest/api-router.ts).
    app.set('case sensitive routing', true);
    // Behind a load balancer: express's req.ip, and the fleet's addresses below, honour X-Forwarded-For from it only.
    if (this.settings.trustProxy !== undefined) app.set('trust proxy', trustSetting(this.settings.trustProxy));
    const trusted = app.get('trust proxy fn') as Parameters<typeof proxyaddr>[1];
    const addressOf = (socket: { request: Parameters<typeof proxyaddr>[0] }) => proxyaddr(socket.request, trusted);
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
        codecs: this.core.codecs,
        auth: this.auth,
        audit: this.audit,
        downloadWeights: (jobId, version, options) => this.core.weightsDownload(jobId, version, options),
        serving: this.core.serving,
        artifacts: this.core.artifacts,
        deviceAccess: this.core.deviceAccess,
        devices: this.core.devices,
        revokeDevice: (clientId, by) => this.core.revokeDevice(clientId, by),
        clock: this.core.fleetDependencies.clock,
      }),
    );
    app.use(consoleFiles(this.settings.consoleDir));
    app.use(notFound);
    app.use(errorHandler(this.logger, this.metrics));
    const { tlsCertFile, tlsKeyFile } = this.settings;
    this.http =
      tlsCertFile !== undefined && tlsKeyFile !== undefined
        ? createHttpsServer({ cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) }, app)
        : createServer(app);
    // The last guard: beyond this many TCP connections Node closes new ones at once instead of failing accept() with EMFILE.
    const descriptors = descriptorLimit();
    if (descriptors !== undefined) this.http.maxConnections = Math.max(1, descriptors - 64);
    cap = new ConnectionCap(this.settings.maxConnections, { logger: this.logger, metrics: this.metrics, clock: this.core.fleetDependencies.clock });
    this.io = this.cluster?.io ?? new SocketServer(ioOptions);
    this.io.attach(this.http);
    this.cluster?.attach({ jobs: this.jobs, store: this.store, logger: this.logger, metrics: this.metrics, leaseTtlMs: this.settings.leaseTtlMs });
    // Every connection starts small; a fleet client's cap rises to maxMessageBytes once its hello is accepted.
    this.io.engine.on('connection', (connection: unknown) => {
      if (!capMessages(connection, PRE_HELLO_MAX_BYTES)) this.logger.warn('this socket.io transport exposes no per-connection message cap; the pre-hello limit is not applied');
    });
    new FleetGateway(this.core.fleetDependencies, { ...this.core.fleetOptions, maxMessageBytes: this.settings.maxMessageBytes, addressOf }, cap).attach(this.io.of(FLEET_NAMESPACE));
    this.detachConsole = new ConsoleGateway({ authenticator: this.auth, events: this.events, registry: this.registry, logger: this.logger, metrics: this.metrics, clock: this.core.clock }).attach(
      this.io.of(CONSOLE_NAMESPACE),
    );
  }

  /** Listens, then resumes jobs a previous process left running on this data directory. */
  async start(): Promise<{ url: string; port: number }> {
    await this.core.initBackend();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.settings.port, this.settings.host, () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    const scheme = this.settings.tlsCertFile === undefined ? 'http' : 'https';
    const url = `${scheme}://${this.settings.host === '0.0.0.0' ? '127.0.0.1' : this.settings.host}:${port}`;
    this.logger.info({ port, url, dataDir: this.settings.dataDir, console: `${url}/` }, 'listening');
    if (this.auth.generatedToken !== undefined) {
      // Shown once: only its SHA-256 is stored, so a lost token is replaced by restarting with --admin-token.
      this.logger.warn({ adminToken: this.auth.generatedToken, tokenId: this.auth.tokenId }, 'generated an admin token for the console and admin API; it is shown only this once');
    }
    // One node resumes what its data directory left running; a cluster node adopts jobs whose lease ran out.
    this.jobs.resumeAll();
    await this.cluster?.start();
    this.core.serving.start();
    return { url, port };
  }

  async stop(): Promise<void> {
    this.detachConsole();
    const held = this.cluster?.stopLeases() ?? [];
    await this.jobs.shutdown();
    // Released only once the runners stopped writing: the other nodes take the jobs over without waiting for expiry.
    this.jobs.releaseAll(held);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    if (this.http.listening) await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.core.serving.stop();
    await this.core.artifacts.close();
    await this.evaluator?.close();
    this.store.close();
    await this.cluster?.close();
    this.logger.info('stopped');
  }
}
