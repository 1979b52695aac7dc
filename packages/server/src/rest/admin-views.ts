/** Wire views of the administrator and identity records (sessions, tokens, devices, audit entries), the one place they are converted. */
import type { MessageOf } from '@shoal/protocol';
import type { Principal } from '../auth/principal.js';
import type { ApiTokenRecord, AuditEntry, DeviceRecord, JoinTokenRecord } from '../store/records.js';

type SessionView = MessageOf<'session'>;
type AuditEntryView = MessageOf<'audit-entry'>;

/** Only administrators and viewers have sessions (the guard keeps device credentials away from /session). */
export function toSessionView(principal: Principal): SessionView {
  const kind = principal.kind === 'device' ? 'admin-token' : principal.kind;
  const view: SessionView = { id: principal.id, kind, role: principal.role === 'admin' ? 'admin' : 'viewer', subject: principal.subject };
  if (principal.expiresAt !== undefined) view.expiresAt = principal.expiresAt;
  return view;
}

export function toAuditEntryView(entry: AuditEntry): AuditEntryView {
  const view: AuditEntryView = { id: entry.id, at: entry.at, actor: entry.actor, action: entry.action, outcome: entry.outcome };
  if (entry.target !== undefined) view.target = entry.target;
  if (entry.errorCode !== undefined) view.errorCode = entry.errorCode;
  if (entry.address !== undefined) view.address = entry.address;
  if (entry.detail !== undefined) view.detail = entry.detail;
  return view;
}

export function toApiTokenView(token: ApiTokenRecord): MessageOf<'api-token'> {
  const view: MessageOf<'api-token'> = { id: token.id, name: token.name, role: token.role, createdAt: token.createdAt, createdBy: token.createdBy };
  if (token.revokedAt !== undefined) view.revokedAt = token.revokedAt;
  return view;
}

export function toJoinTokenView(token: JoinTokenRecord): MessageOf<'join-token'> {
  const { id, uses, usesLeft, expiresAt, labels, createdAt, createdBy, revokedAt } = token;
  return { id, uses, usesLeft, expiresAt, labels, createdAt, createdBy, ...(revokedAt === undefined ? {} : { revokedAt }) };
}

export function toDeviceView(device: DeviceRecord, labels: string[]): MessageOf<'device'> {
  const { clientId, name, publicKey, joinTokenId, enrolledAt, revokedAt, revokedBy } = device;
  return { clientId, name, publicKey, joinTokenId, enrolledAt, labels, ...(revokedAt === undefined ? {} : { revokedAt }), ...(revokedBy === undefined ? {} : { revokedBy }) };
}
