/** @shoal/identity: device keys, signed updates and enrolment tokens. */
export { canonicalUpdateStatement, enrolStatement, helloStatement, signStatement } from './update-statement.js';
export { verifyStatement } from './verify-signature.js';
export { loadOrCreateDeviceKeys } from './device-keys.js';
export type { DeviceKeys } from './device-keys.js';
export { checkJoinToken, hashToken, issueJoinToken, joinTokenId } from './join-tokens.js';
