/**
 * The parts a coordinator needs to be one node of a cluster: Redis connections, the socket.io server with the Redis
 * adapter (so console broadcasts reach every node), the node-to-node bus on its server-side events (messages for
 * clients of other nodes go over it in one batch per node: node-batches.ts),
 * the replicated fleet registry and device credentials, and the ClusterNode holding job leases.
 */
import { hostname } from 'node:os';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Server as SocketServer, type ServerOptions } from 'socket.io';
import { FLEET_NAMESPACE, ShoalError } from '@shoal/protocol';
import type { JobService } from '../jobs/job-service.js';
import { clientRoom } from '../fleet/fleet-gateway.js';
import { NodeBatches } from './node-batches.js';
import type { Store } from '../store/store.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { ClusterBus, socketIoTransport } from './cluster-bus.js';
import { ClusterNode } from './cluster-node.js';
import { ClusterRegistry } from './cluster-registry.js';
import { ReplicatedDeviceAccess } from './replicated-access.js';

export const defaultNodeId = (): string => `${hostname()}-${process.pid}`;

export class ClusterParts {
  readonly io: SocketServer;
  readonly bus: ClusterBus;
  readonly registry: ClusterRegistry;
  /** Messages for other nodes' clients: [clientId, event, payload], one `fleet:emit` per node and turn of the event loop. */
  private readonly toRemoteClients: NodeBatches<[string, string, unknown]>;
  readonly deviceAccess: ReplicatedDeviceAccess;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private node: ClusterNode | undefined;
  private logger: Logger | undefined;

  constructor(
    private readonly redisUrl: string,
    readonly nodeId: string,
    ioOptions: Partial<ServerOptions>,
  ) {
    // Commands wait in ioredis's queue while it (re)connects; start() checks the server answers at all.
    this.pub = new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: `shoal-${nodeId}-pub` });
    this.sub = this.pub.duplicate({ connectionName: `shoal-${nodeId}-sub` });
    for (const client of [this.pub, this.sub]) client.on('error', (error: Error) => this.logger?.warn({ err: error, redis: redisUrl }, 'Redis connection error; retrying'));
    this.io = new SocketServer(ioOptions);
    this.io.adapter(createAdapter(this.pub, this.sub, { key: 'shoal', publishOnSpecificResponseChannel: true }));
    this.bus = new ClusterBus(nodeId, socketIoTransport(this.io.of('/')), (type, error) => this.logger?.warn({ err: error, type }, 'a cluster message failed'));
    const fleet = this.io.of(FLEET_NAMESPACE);
    this.toRemoteClients = new NodeBatches(this.bus, 'fleet:emit', 0);
    // The node that holds them hands them to its own sockets (a client no longer here is skipped).
    this.bus.handle('fleet:emit', (payload) => {
      for (const [clientId, event, message] of payload as [string, string, unknown][]) fleet.local.to(clientRoom(clientId)).emit(event, message);
    });
    this.registry = new ClusterRegistry(this.bus, (nodeId, clientId, event, payload) => this.toRemoteClients.add(nodeId, [clientId, event, payload]));
    this.deviceAccess = new ReplicatedDeviceAccess(this.bus);
  }

  /** Joins the coordinator's jobs to the cluster; the store must be a PostgresStore opened with `cluster: true`. */
  attach(deps: { jobs: JobService; store: Store; logger: Logger; metrics: CoordinatorMetrics; leaseTtlMs: number }): ClusterNode {
    const { jobs, store, logger, metrics, leaseTtlMs } = deps;
    if (store.leases === undefined) throw new ShoalError('VALIDATION_FAILED', 'a cluster node needs a store with job leases (PostgreSQL, --database-url)', { details: { option: 'redisUrl' } });
    this.logger = logger;
    // The leader's answers may be slow on a loaded machine; a leader that died is noticed by its silence
    // (ClusterRegistry) or its lease, long before this hang guard.
    this.node = new ClusterNode(this.bus, store.leases, logger, metrics, { leaseTtlMs, adoptEveryMs: Math.max(250, Math.floor(leaseTtlMs / 5)), forwardTimeoutMs: 120_000 });
    this.node.attach(jobs);
    // A client of another node that left: the rounds led here drop it as they drop a local one.
    this.registry.onRemoteDeparture((clientId) => jobs.clientDisconnected(clientId));
    return this.node;
  }

  /** Connects to Redis (a clear error when it does not answer), then announces this node and starts adopting jobs. */
  async start(): Promise<void> {
    try {
      await withTimeout(this.pub.ping(), 10_000);
    } catch (error) {
      throw new ShoalError('VALIDATION_FAILED', `cannot reach Redis at ${this.redisUrl}: ${(error as Error).message}`, { details: { option: 'redisUrl' } });
    }
    this.registry.start();
    this.node?.start();
    this.logger?.info({ node: this.nodeId, redis: this.redisUrl }, 'joined the cluster');
  }

  /** Stops renewing leases (the job service releases them once its runners stop). */
  stopLeases(): string[] {
    this.node?.stop();
    return this.node?.heldJobs() ?? [];
  }

  async close(): Promise<void> {
    this.toRemoteClients.flush();
    this.bus.close();
    this.registry.stop();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
