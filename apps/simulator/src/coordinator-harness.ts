/**
 * Starts the real coordinator for a simulation: a CoordinatorCore behind the in-memory transport, or the HTTP
 * Coordinator on 127.0.0.1 port 0 behind socket.io. Either way its central evaluation runs on the trainer pool.
 */
import { join } from 'node:path';
import { destination, pino, type Logger } from 'pino';
import { Coordinator, CoordinatorCore, SqliteStore, type CentralEvaluator, type Store, type Clock, type CoordinatorEvents, type EvaluationResult, type JobService } from '@shoal/server';
import type { FleetTransport } from './fleet-transport.js';
import { MemoryTransport } from './memory-transport.js';
import type { SimulationConfig } from './sim-config.js';
import { SocketTransport } from './socket-transport.js';
import type { TrainerPool } from './trainer-pool.js';

/** The parts of a running coordinator a simulation drives and watches. */
export interface CoordinatorHarness {
  jobs: JobService;
  events: CoordinatorEvents;
  store: Store;
  transport: FleetTransport;
  stop(): Promise<void>;
}

/**
 * Central evaluation on the simulation's held-out split. Jobs name the protocol's only evaluation data set
 * ('mnist-test'); in a simulation it stands for the test split of whatever data set the simulation loaded.
 */
class PoolEvaluator implements CentralEvaluator {
  constructor(private readonly pool: TrainerPool) {}

  async evaluate(request: { jobId: string; weights: Uint8Array; limit: number | undefined }): Promise<EvaluationResult> {
    const reply = await this.pool.evaluate(request.jobId, request.weights, request.limit);
    return { loss: reply.loss, accuracy: reply.accuracy, numExamples: reply.numExamples };
  }

  async close(): Promise<void> {}
}

/** A virtual fleet registers every client from one address at once, and its rows are the run's own. */
const VIRTUAL_FLEET = { perAddressPerMinute: Number.POSITIVE_INFINITY, maxUnenrolledClients: Number.POSITIVE_INFINITY };

export function coordinatorLogger(config: SimulationConfig): Logger {
  return pino({ level: config.logLevel, base: { service: 'coordinator' } }, destination({ dest: join(config.out, 'coordinator.log'), sync: true }));
}

/** `clock` is the simulation's virtual clock: round deadlines run on it. */
export async function startCoordinator(config: SimulationConfig, pool: TrainerPool, clock: Clock): Promise<CoordinatorHarness> {
  const logger = coordinatorLogger(config);
  const evaluator = new PoolEvaluator(pool);
  if (config.transport === 'memory') {
    const core = new CoordinatorCore({ store: new SqliteStore(join(config.out, 'coordinator.sqlite')), evaluator, logger, clock, anonymousAdmission: VIRTUAL_FLEET });
    await core.initBackend();
    return { jobs: core.jobs, events: core.events, store: core.store, transport: new MemoryTransport(core), stop: () => core.stop() };
  }
  const coordinator = new Coordinator({ port: 0, host: '127.0.0.1', dataDir: join(config.out, 'coordinator'), evaluator, logger, clock, anonymousAdmission: VIRTUAL_FLEET });
  const { url } = await coordinator.start();
  return { jobs: coordinator.jobs, events: coordinator.events, store: coordinator.store, transport: new SocketTransport(url), stop: () => coordinator.stop() };
}
