/**
 * Device identity on the coordinator: join tokens, enrolment (the device proves it holds the key it registers),
 * the key proof at hello, and revocation. Verification uses node:crypto (@shoal/identity's verifyStatement).
 */
import { randomBytes } from 'node:crypto';
import { ShoalError, type MessageOf } from '@shoal/protocol';
import { checkJoinToken, enrolStatement, helloStatement, issueJoinToken, joinTokenId, verifyStatement } from '@shoal/identity';
import type { DeviceRecord, JoinTokenRecord } from '../store/records.js';
import type { DevicesPort } from '../store/store.js';

/** A hello proof older or newer than this (clock skew included) is refused as stale. */
export const HELLO_PROOF_MAX_AGE_MS = 5 * 60_000;
export const DEFAULT_JOIN_TOKEN_TTL_MS = 24 * 60 * 60_000;

type DeviceProof = NonNullable<MessageOf<'hello-request'>['identity']>;

export type HelloIdentity = { enrolled: true; device: DeviceRecord; labels: string[] } | { enrolled: false };

const fromBase64 = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'base64'));

export class DeviceIdentity {
  /** Proofs seen within their validity window: the same proof cannot open a second session. */
  private readonly usedProofs = new Map<string, number>();
  private proofsPrunedAt = 0;

  constructor(
    private readonly records: DevicesPort,
    private readonly options: { requireEnrolment: boolean; now?: () => number },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  issueJoinToken(request: MessageOf<'create-join-token-request'>, createdBy: string): { record: JoinTokenRecord; token: string } {
    const now = this.now();
    const { token, record } = issueJoinToken(request.uses, request.ttlMs ?? DEFAULT_JOIN_TOKEN_TTL_MS, now);
    const stored: JoinTokenRecord = { ...record, uses: request.uses, labels: request.labels ?? [], createdAt: now, createdBy, revokedAt: undefined };
    this.records.insertJoinToken(stored);
    return { record: stored, token };
  }

  revokeJoinToken(id: string): JoinTokenRecord {
    if (this.records.getJoinToken(id) === undefined) throw new ShoalError('NOT_FOUND', `join token ${id} does not exist`);
    this.records.revokeJoinToken(id, this.now());
    return this.records.getJoinToken(id)!;
  }

  /** Enrols a device with a join token; the token's use is consumed only when everything checks out. */
  enrol(request: MessageOf<'enrol-device-request'>): DeviceRecord {
    const now = this.now();
    const tokenId = joinTokenId(request.joinToken);
    const record = tokenId === undefined ? undefined : this.records.getJoinToken(tokenId);
    const check = record?.revokedAt !== undefined ? { ok: false as const, reason: 'revoked' } : checkJoinToken(request.joinToken, record, now);
    if (!check.ok) throw new ShoalError('JOIN_TOKEN_INVALID', `the join token is not valid (${check.reason})`);
    const publicKey = fromBase64(request.publicKey);
    if (!verifyStatement(enrolStatement(record!.id, publicKey), fromBase64(request.signature), publicKey)) {
      throw new ShoalError('SIGNATURE_INVALID', 'the enrolment signature does not verify with the presented public key');
    }
    if (this.records.findDeviceByKey(request.publicKey) !== undefined) throw new ShoalError('CONFLICT', 'this public key is already enrolled');
    const device: DeviceRecord = { clientId: `d-${randomBytes(6).toString('hex')}`, publicKey: request.publicKey, name: request.name, joinTokenId: record!.id, enrolledAt: now };
    if (!this.records.enrol(device, now)) throw new ShoalError('JOIN_TOKEN_INVALID', 'the join token was used up, expired or revoked meanwhile');
    return device;
  }

  /**
   * Checks the key proof of a hello. A client id that names an enrolled device must prove the key; with
   * requireEnrolment every client must. Throws the code the hello is refused with.
   */
  verifyHello(clientId: string | undefined, proof: DeviceProof | undefined): HelloIdentity {
    const device = clientId === undefined ? undefined : this.records.getDevice(clientId);
    if (proof === undefined) {
      if (device !== undefined) throw new ShoalError('UNAUTHENTICATED', `client ${clientId} is an enrolled device; its hello must carry the key proof`);
      if (this.options.requireEnrolment) throw new ShoalError('DEVICE_NOT_ENROLLED', 'this coordinator accepts only enrolled devices: enrol with a join token first');
      return { enrolled: false };
    }
    if (device === undefined || device.publicKey !== proof.publicKey) {
      throw new ShoalError('DEVICE_NOT_ENROLLED', `no enrolled device ${clientId ?? '(no client id)'} with this public key`);
    }
    if (device.revokedAt !== undefined) throw new ShoalError('DEVICE_REVOKED', `device ${device.clientId} was revoked`);
    const now = this.now();
    if (Math.abs(now - proof.timestampMs) > HELLO_PROOF_MAX_AGE_MS) {
      throw new ShoalError('SIGNATURE_INVALID', `the hello proof is stale (timestamp ${proof.timestampMs}, server time ${now}); check the device clock`);
    }
    if (!verifyStatement(helloStatement(device.clientId, fromBase64(proof.publicKey), proof.timestampMs), fromBase64(proof.signature), fromBase64(proof.publicKey))) {
      throw new ShoalError('SIGNATURE_INVALID', 'the hello proof does not verify with the enrolled key');
    }
    this.forgetOldProofs(now);
    if (this.usedProofs.has(proof.signature)) throw new ShoalError('SIGNATURE_INVALID', 'this hello proof was already used; sign a fresh one');
    this.usedProofs.set(proof.signature, proof.timestampMs);
    return { enrolled: true, device, labels: this.records.getJoinToken(device.joinTokenId)?.labels ?? [] };
  }

  /** Drops proofs past their window, at most once a minute (a fleet reconnecting at once must not cost O(n²)). */
  private forgetOldProofs(now: number): void {
    if (now - this.proofsPrunedAt < 60_000) return;
    this.proofsPrunedAt = now;
    for (const [signature, timestampMs] of this.usedProofs) {
      if (Math.abs(now - timestampMs) > HELLO_PROOF_MAX_AGE_MS) this.usedProofs.delete(signature);
    }
  }

  /** The device record, if the client is an enrolled device. */
  device(clientId: string): DeviceRecord | undefined {
    return this.records.getDevice(clientId);
  }

  revokeDevice(clientId: string, by: string): DeviceRecord {
    if (this.records.getDevice(clientId) === undefined) throw new ShoalError('NOT_FOUND', `device ${clientId} is not enrolled`);
    this.records.revokeDevice(clientId, this.now(), by);
    return this.records.getDevice(clientId)!;
  }
}
