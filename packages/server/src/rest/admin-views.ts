/** Wire views of the administrator records (sessions, audit entries), the one place they are converted. */
import type { MessageOf } from '@shoal/protocol';
import type { Principal } from '../auth/principal.js';
import type { AuditEntry } from '../store/records.js';

type SessionView = MessageOf<'session'>;
type AuditEntryView = MessageOf<'audit-entry'>;

export function toSessionView(principal: Principal): SessionView {
  const view: SessionView = { id: principal.id, kind: principal.kind, subject: principal.subject };
  if (principal.expiresAt !== undefined) view.expiresAt = principal.expiresAt;
  return view;
}

export function toAuditEntryView(entry: AuditEntry): AuditEntryView {
  const view: AuditEntryView = { id: entry.id, at: entry.at, actor: entry.actor, action: entry.action, outcome: entry.outcome };
  if (entry.target !== undefined) view.target = entry.target;
  if (entry.errorCode !== undefined) view.errorCode = entry.errorCode;
  if (entry.address !== undefined) view.address = entry.address;
  return view;
}
