/**
 * Checks the device signature of an upload before it can reach aggregation: revoked devices, unsigned updates
 * (from enrolled devices, or in jobs that require enrolled devices), replayed payloads and forged signatures are
 * refused with their codes.
 */
import { createHash } from 'node:crypto';
import { ShoalError } from '@shoal/protocol';
import { canonicalUpdateStatement, verifyStatement } from '@shoal/identity';
import type { DevicesPort } from '../store/store.js';

export interface SignedUpload {
  jobId: string;
  round: number;
  clientId: string;
  taskId: string;
  /** Base64 Ed25519 signature of the update statement, if the client sent one. */
  signature: string | undefined;
  payload: Uint8Array;
}

export interface VerifiedUpload {
  /** Set when the upload was signed by an enrolled device; remembered once accepted, to refuse replays. */
  payloadSha256: string | undefined;
}

export class UpdateVerifier {
  constructor(private readonly records: DevicesPort) {}

  verify(upload: SignedUpload, options: { requireEnrolled: boolean }): VerifiedUpload {
    const { jobId, round, clientId, taskId, signature, payload } = upload;
    const device = this.records.getDevice(clientId);
    if (device?.revokedAt !== undefined) throw new ShoalError('DEVICE_REVOKED', `device ${clientId} was revoked; its updates are refused`);
    if (device === undefined) {
      if (options.requireEnrolled) throw new ShoalError('DEVICE_NOT_ENROLLED', `job ${jobId} accepts updates only from enrolled devices`);
      return { payloadSha256: undefined };
    }
    if (signature === undefined) throw new ShoalError('UPDATE_UNSIGNED', `client ${clientId} is an enrolled device; its updates must be signed`);
    const payloadSha256 = createHash('sha256').update(payload).digest('hex');
    if (this.records.payloadSeen(jobId, clientId, payloadSha256)) {
      throw new ShoalError('REPLAYED_UPDATE', `client ${clientId} already delivered this exact payload to job ${jobId} in an earlier round`);
    }
    const statement = canonicalUpdateStatement({ jobId, round, clientId, taskId, payloadSha256 });
    if (!verifyStatement(statement, new Uint8Array(Buffer.from(signature, 'base64')), new Uint8Array(Buffer.from(device.publicKey, 'base64')))) {
      throw new ShoalError('SIGNATURE_INVALID', `the signature does not verify for job ${jobId}, round ${round}, client ${clientId}, task ${taskId} and this payload`);
    }
    return { payloadSha256 };
  }

  accepted(upload: Pick<SignedUpload, 'jobId' | 'round' | 'clientId'>, verified: VerifiedUpload): void {
    if (verified.payloadSha256 !== undefined) this.records.recordPayload(upload.jobId, upload.round, upload.clientId, verified.payloadSha256);
  }
}
