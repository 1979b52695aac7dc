/** Admin-issued join tokens: random secrets shown once, stored as SHA-256 hashes, with a use count and an expiry. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ShoalError } from '@shoal/protocol';

export interface JoinTokenRecord {
  id: string;
  hash: string;
  usesLeft: number;
  expiresAt: number;
}

export function issueJoinToken(uses: number, ttlMs: number, now = Date.now()): { token: string; record: JoinTokenRecord } {
  if (!Number.isInteger(uses) || uses < 1) throw new ShoalError('VALIDATION_FAILED', 'uses must be an integer >= 1');
  if (!(ttlMs > 0)) throw new ShoalError('VALIDATION_FAILED', 'ttlMs must be > 0');
  const id = `jt-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(24).toString('base64url');
  const token = `${id}.${secret}`;
  return { token, record: { id, hash: hashToken(token), usesLeft: uses, expiresAt: now + ttlMs } };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type JoinTokenCheck = { ok: true } | { ok: false; reason: 'unknown' | 'expired' | 'used up' };

/** Checks a presented token against its record (found by the id before the dot); does not consume a use. */
export function checkJoinToken(token: string, record: JoinTokenRecord | undefined, now = Date.now()): JoinTokenCheck {
  if (record === undefined || !token.startsWith(`${record.id}.`)) return { ok: false, reason: 'unknown' };
  const presented = Buffer.from(hashToken(token), 'hex');
  if (!timingSafeEqual(presented, Buffer.from(record.hash, 'hex'))) return { ok: false, reason: 'unknown' };
  if (now >= record.expiresAt) return { ok: false, reason: 'expired' };
  if (record.usesLeft < 1) return { ok: false, reason: 'used up' };
  return { ok: true };
}

export function joinTokenId(token: string): string | undefined {
  const dot = token.indexOf('.');
  return dot > 0 ? token.slice(0, dot) : undefined;
}
