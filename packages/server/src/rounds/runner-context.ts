/** The coordinator's collaborators a job's rounds use: store, fleet, codecs, evaluator, logging, metrics, events, limits. */
import type { CodecRegistry, FrameLimits } from '@shoal/codec';
import type { Logger } from 'pino';
import type { ClientRegistry } from '../fleet/client-registry.js';
import type { CentralEvaluator } from '../workers/central-evaluator.js';
import type { CoordinatorEvents } from '../coordinator-events.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { UpdateVerifier } from '../identity/update-verifier.js';
import type { Clock } from '../time/clock.js';
import type { JobCluster } from '../jobs/job-cluster.js';

export interface RunnerContext {
  store: Store;
  registry: ClientRegistry;
  codecs: CodecRegistry;
  evaluator: CentralEvaluator | undefined;
  logger: Logger;
  metrics: CoordinatorMetrics;
  events: CoordinatorEvents;
  frameLimits: FrameLimits;
  maxUpdateAttempts: number;
  /** Device-signature checks on uploads (identity). */
  updates: UpdateVerifier;
  /** What round deadlines and timestamps are measured on (virtual in the simulator). */
  clock: Clock;
  /** What one round of a strategy holding every update may keep in memory. */
  aggregationMemoryBytes: number;
  /** Set when this coordinator is one node of a cluster: plain mean rounds aggregate hierarchically. */
  cluster?: JobCluster;
}
