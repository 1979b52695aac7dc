/**
 * The device side of identity: an Ed25519 key (tweetnacl, portable to browsers) that enrols with a join token,
 * proves itself at hello and signs every upload over (job, round, client, task, SHA-256 of the payload).
 */
import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import { ShoalError, parseMessage, type MessageOf } from '@shoal/protocol';
import { canonicalUpdateStatement, enrolStatement, helloStatement, joinTokenId, loadOrCreateDeviceKeys, signStatement, type DeviceKeys } from '@shoal/identity';
import type { CoordinatorHttp } from './coordinator-http.js';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export interface UploadToSign {
  jobId: string;
  round: number;
  clientId: string;
  taskId: string;
}

export class DeviceCredentials {
  constructor(readonly keys: DeviceKeys) {}

  /** The key kept in the state directory (created owner-only on first use), or a fresh in-memory one. */
  static load(stateDir: string | undefined): DeviceCredentials {
    return new DeviceCredentials(stateDir === undefined ? nacl.sign.keyPair() : loadOrCreateDeviceKeys(stateDir));
  }

  get publicKey(): string {
    return base64(this.keys.publicKey);
  }

  /** Enrols this key with a join token; resolves with the client id the coordinator assigned. */
  async enrol(http: CoordinatorHttp, joinToken: string, name: string): Promise<MessageOf<'device'>> {
    const tokenId = joinTokenId(joinToken);
    if (tokenId === undefined) throw new ShoalError('VALIDATION_FAILED', 'the join token is malformed (expected <id>.<secret>)');
    const signature = base64(signStatement(enrolStatement(tokenId, this.keys.publicKey), this.keys.secretKey));
    const reply = await http.postJson('/api/v1/devices', { joinToken, publicKey: this.publicKey, signature, name });
    return parseMessage('device', reply);
  }

  /** The key proof a hello carries. */
  helloProof(clientId: string, now = Date.now()): NonNullable<MessageOf<'hello-request'>['identity']> {
    const signature = signStatement(helloStatement(clientId, this.keys.publicKey, now), this.keys.secretKey);
    return { publicKey: this.publicKey, timestampMs: now, signature: base64(signature) };
  }

  /** The base64 signature of an upload's statement. */
  signUpload(upload: UploadToSign, payload: Uint8Array): string {
    const payloadSha256 = createHash('sha256').update(payload).digest('hex');
    return base64(signStatement(canonicalUpdateStatement({ ...upload, payloadSha256 }), this.keys.secretKey));
  }
}
