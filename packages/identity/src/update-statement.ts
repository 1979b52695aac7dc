/**
 * What a device signs when it uploads: the job, the round, its own id, the task and the SHA-256 of the update frame,
 * as one canonical UTF-8 text, so a signature cannot be moved to another job, round, client, task or payload.
 */
import nacl from 'tweetnacl';

export interface UpdateStatement {
  jobId: string;
  round: number;
  clientId: string;
  taskId: string;
  /** SHA-256 of the update frame, lowercase hex. */
  payloadSha256: string;
}

export const UPDATE_STATEMENT_PREFIX = 'shoal-update-v1';

export function canonicalUpdateStatement(statement: UpdateStatement): Uint8Array {
  const { jobId, round, clientId, taskId, payloadSha256 } = statement;
  if (!/^[0-9a-f]{64}$/.test(payloadSha256)) throw new RangeError('payloadSha256 must be 64 lowercase hex digits');
  return new TextEncoder().encode([UPDATE_STATEMENT_PREFIX, jobId, String(round), clientId, taskId, payloadSha256].join('\n'));
}

/** What a device signs at hello to prove it holds the key it claims (with a timestamp, checked for freshness). */
export function helloStatement(clientId: string, publicKey: Uint8Array, timestampMs: number): Uint8Array {
  return new TextEncoder().encode(['shoal-hello-v1', clientId, Buffer.from(publicKey).toString('base64'), String(timestampMs)].join('\n'));
}

/** What a device signs when it enrols: the join token's id and its own public key, so the key's holder is the enrollee. */
export function enrolStatement(joinTokenId: string, publicKey: Uint8Array): Uint8Array {
  return new TextEncoder().encode(['shoal-enrol-v1', joinTokenId, Buffer.from(publicKey).toString('base64')].join('\n'));
}

export function signStatement(statement: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return nacl.sign.detached(statement, secretKey);
}
