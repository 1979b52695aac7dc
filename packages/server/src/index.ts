/** @shoal/server: the coordinator's core, composable by the coordinator app and the simulator. */
export { Coordinator, SERVER_VERSION } from './coordinator.js';
export type { CoordinatorOptions } from './coordinator.js';
export { DEFAULT_SETTINGS, resolveSettings } from './options.js';
export type { CoordinatorSettings } from './options.js';
export { SqliteStore } from './store/sqlite-store.js';
export { ClientRegistry } from './client-registry.js';
export { CoordinatorEvents } from './coordinator-events.js';
export type { CoordinatorEventMap } from './coordinator-events.js';
export { JOB_DEFAULTS } from './job-config.js';
export type { JobConfig } from './job-config.js';
export type { JobRecord, RoundRecord, ClientRecord, ModelVersionRecord, ContributionRecord } from './store/records.js';
