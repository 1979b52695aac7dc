/** The audit trail of administrator actions: who (credential id), what, on which target, when, and how it ended. */
import type { Logger } from 'pino';
import type { AuditPort } from '../store/store.js';
import type { AuditEntry } from '../store/records.js';

export type AuditRecord = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export class AuditLog {
  constructor(
    private readonly records: AuditPort,
    private readonly logger: Logger,
  ) {}

  record(entry: AuditRecord): AuditEntry {
    const stored = this.records.appendAudit({ ...entry, at: entry.at ?? Date.now() });
    this.logger.info({ audit: true, actor: stored.actor, action: stored.action, target: stored.target, outcome: stored.outcome, errorCode: stored.errorCode }, 'admin action');
    return stored;
  }

  list(options: { limit: number; before?: number | undefined }): { items: AuditEntry[]; total: number } {
    return this.records.listAudit(options);
  }
}
