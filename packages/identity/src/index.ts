/** @shoal/identity: device keys, signed updates and enrolment tokens. */
export { UPDATE_STATEMENT_PREFIX, canonicalUpdateStatement, enrolStatement, helloStatement, signStatement } from './update-statement.js';
export type { UpdateStatement } from './update-statement.js';
export { ed25519PublicKey, verifyStatement } from './verify-signature.js';
export { DEVICE_KEY_FILE, loadOrCreateDeviceKeys } from './device-keys.js';
export type { DeviceKeys } from './device-keys.js';
export { checkJoinToken, hashToken, issueJoinToken, joinTokenId } from './join-tokens.js';
export type { JoinTokenCheck, JoinTokenRecord } from './join-tokens.js';
