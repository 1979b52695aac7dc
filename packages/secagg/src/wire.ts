/**
 * toWire / fromWire for the secure-aggregation messages: the library's byte arrays ⇄ the base64 fields of the
 * protocols/v1 secagg-* schemas. fromWire refuses (VALIDATION_FAILED, the field named) what the schemas cannot check.
 */
import { ShoalError, type SecAggIncomingShare, type SecAggKeyShare, type SecAggOutgoingShare, type SecAggRosterEntry } from '@shoal/protocol';
import type { AdvertiseMessage, EncryptedShare, ShareKeysMessage, UnmaskMessage } from './messages.js';

const PUBLIC_KEY_BYTES = 32;
const NONCE_BYTES = 24;
/** A share of a 32-byte secret and of its 8-byte tag (shamir.ts). */
const SHARE_BYTES = 40;

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function fromBase64(text: string, field: string, bytes?: number): Uint8Array {
  const decoded = new Uint8Array(Buffer.from(text, 'base64'));
  if (toBase64(decoded) !== text) throw fieldError(field, 'is not canonical base64');
  if (bytes !== undefined && decoded.length !== bytes) throw fieldError(field, `must decode to ${bytes} bytes, not ${decoded.length}`);
  return decoded;
}

function fieldError(field: string, message: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', `${field} ${message}`, { details: { problems: [{ field, message }] } });
}

export function advertiseToWire(message: AdvertiseMessage): Omit<SecAggRosterEntry, 'clientId'> {
  return { encryptionPublicKey: toBase64(message.encryptionPublicKey), maskingPublicKey: toBase64(message.maskingPublicKey) };
}

export function advertiseFromWire(clientId: string, wire: Omit<SecAggRosterEntry, 'clientId'>, field = ''): AdvertiseMessage {
  return {
    clientId,
    encryptionPublicKey: fromBase64(wire.encryptionPublicKey, `${field}/encryptionPublicKey`, PUBLIC_KEY_BYTES),
    maskingPublicKey: fromBase64(wire.maskingPublicKey, `${field}/maskingPublicKey`, PUBLIC_KEY_BYTES),
  };
}

export function rosterToWire(roster: readonly AdvertiseMessage[]): SecAggRosterEntry[] {
  return roster.map((entry) => ({ clientId: entry.clientId, ...advertiseToWire(entry) }));
}

export function rosterFromWire(entries: readonly SecAggRosterEntry[]): AdvertiseMessage[] {
  return entries.map((entry, i) => advertiseFromWire(entry.clientId, entry, `/clients/${i}`));
}

export function shareKeysToWire(message: ShareKeysMessage): SecAggOutgoingShare[] {
  return message.shares.map((share) => ({ to: share.to, nonce: toBase64(share.nonce), ciphertext: toBase64(share.ciphertext) }));
}

export function shareKeysFromWire(clientId: string, shares: readonly SecAggOutgoingShare[]): ShareKeysMessage {
  return {
    clientId,
    shares: shares.map((share, i) => ({
      from: clientId,
      to: share.to,
      nonce: fromBase64(share.nonce, `/shares/${i}/nonce`, NONCE_BYTES),
      ciphertext: fromBase64(share.ciphertext, `/shares/${i}/ciphertext`),
    })),
  };
}

export function deliveriesToWire(shares: readonly EncryptedShare[]): SecAggIncomingShare[] {
  return shares.map((share) => ({ from: share.from, nonce: toBase64(share.nonce), ciphertext: toBase64(share.ciphertext) }));
}

export function deliveriesFromWire(clientId: string, shares: readonly SecAggIncomingShare[]): EncryptedShare[] {
  return shares.map((share, i) => ({
    from: share.from,
    to: clientId,
    nonce: fromBase64(share.nonce, `/shares/${i}/nonce`, NONCE_BYTES),
    ciphertext: fromBase64(share.ciphertext, `/shares/${i}/ciphertext`),
  }));
}

type WireUnmask = { selfSeedShares: SecAggKeyShare[]; maskingKeyShares: SecAggKeyShare[] };

export function unmaskToWire(message: UnmaskMessage): WireUnmask {
  const convert = (shares: UnmaskMessage['selfSeedShares']) => shares.map((s) => ({ of: s.of, x: s.x, share: toBase64(s.bytes) }));
  return { selfSeedShares: convert(message.selfSeedShares), maskingKeyShares: convert(message.maskingKeyShares) };
}

export function unmaskFromWire(clientId: string, wire: WireUnmask): UnmaskMessage {
  const convert = (shares: SecAggKeyShare[], field: string) =>
    shares.map((s, i) => ({ of: s.of, x: s.x, bytes: fromBase64(s.share, `/${field}/${i}/share`, SHARE_BYTES) }));
  return { clientId, selfSeedShares: convert(wire.selfSeedShares, 'selfSeedShares'), maskingKeyShares: convert(wire.maskingKeyShares, 'maskingKeyShares') };
}
