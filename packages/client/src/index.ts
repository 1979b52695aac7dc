/** @shoal/client: the edge client SDK used by the agent app (and embeddable in other Node programs). */
export { ShoalClient } from './shoal-client.js';
export type { ShoalClientOptions } from './client-options.js';
export type { ConnectionRetry } from './connection-retry.js';
export { ClientStateStore } from './client-state.js';
export { RESIDUAL_FILE } from './error-feedback.js';
export { CoordinatorHttp } from './coordinator-http.js';
export type { SecurePhaseEvent } from './secure-upload.js';
export { DeviceCredentials } from './device-credentials.js';
export type { SinglePrediction } from './serving-service.js';
export { startLocalEndpoint } from './local-endpoint.js';
export type { LocalEndpoint } from './local-endpoint.js';
