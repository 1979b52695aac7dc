/** @shoal/client: the edge client SDK used by the agent app (and embeddable in other Node programs). */
export { ShoalClient, AGENT_VERSION } from './shoal-client.js';
export type { ShoalClientOptions, ShoalClientEvents, ReconnectPolicy } from './shoal-client.js';
export { ClientStateStore } from './client-state.js';
export type { PersistedState } from './client-state.js';
export { ErrorFeedback, RESIDUAL_FILE } from './error-feedback.js';
export type { TransportSecurity } from './coordinator-http.js';
