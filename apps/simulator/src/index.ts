/** @shoal/simulator: runs a virtual fleet against the real coordinator (programmatic API for benchmarks and tests). */
export { runSimulation, jobRequest } from './simulation.js';
export type { SimulationHooks } from './simulation.js';
export { DEFAULT_CONFIG, resolveConfig } from './sim-config.js';
export type { SimulationConfig, FaultConfig, MaliciousConfig, StragglerConfig } from './sim-config.js';
export { readRounds } from './run-files.js';
export type { RoundLine, SimulationSummary } from './run-files.js';
export { formatRound } from './progress.js';
