/** @shoal/server: the coordinator's core, composable by the coordinator app and the simulator. */
export { Coordinator } from './coordinator.js';
export type { CoordinatorOptions } from './coordinator.js';
export { SqliteStore } from './store/sqlite-store.js';
export type { Store, JobsPort, RoundsPort, ContributionsPort, VersionsPort, ClientsPort, AdminPort, TokensPort, SessionsPort, AuditPort, DevicesPort, ServingPort, StrategyStatesPort, ArtifactsPort, ClientRetentionPort } from './store/store.js';
export { CoordinatorCore } from './coordinator-core.js';
export { MemoryFleet } from './fleet/memory-fleet.js';
export type { CentralEvaluator, EvaluationResult } from './workers/central-evaluator.js';
export { CoordinatorEvents } from './coordinator-events.js';
export { VirtualClock } from './time/virtual-clock.js';
export { UpdateIntake } from './rounds/update-intake.js';
export type { Clock } from './time/clock.js';
export type { JobService } from './jobs/job-service.js';
export type { JobRecord } from './store/records.js';
export { startTsWorker } from './workers/ts-worker.js';
export { inCanary } from './serving/cohort.js';
