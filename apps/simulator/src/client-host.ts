/** What a virtual client needs from the simulation that hosts it. */
import type { FaultPlan } from './fault-plan.js';
import type { FleetActivity } from './fleet-activity.js';
import type { FleetTransport } from './fleet-transport.js';
import type { SimulationConfig } from './sim-config.js';
import type { TrainerPool } from './trainer-pool.js';
import type { UploadOrder } from './upload-order.js';

export interface ClientHost {
  config: SimulationConfig;
  transport: FleetTransport;
  faults: FaultPlan;
  order: UploadOrder;
  pool: TrainerPool;
  /** Who is working; straggler latencies are slept on its virtual clock. */
  activity: FleetActivity;
  /** Builds the job's model in the workers once (from the task's modelUrl). */
  ensureModel(jobId: string, modelUrl: string): Promise<void>;
  /** Resolves once the coordinator has seen this client go offline. */
  waitOffline(clientId: string): Promise<void>;
  /** Counts of what happened, by name (late uploads, refusals, errors). */
  count(what: string): void;
}
