/** The administrator tables: the admin token's hash, console sessions and the audit log. */
import type Database from 'better-sqlite3';
import type { AuditEntry, SessionRecord } from './records.js';
import { optionalString, type Row } from './row-values.js';


function auditFromRow(row: Row): AuditEntry {
  return {
    id: Number(row['id']),
    at: Number(row['at']),
    actor: String(row['actor']),
    action: String(row['action']),
    target: optionalString(row['target']),
    outcome: row['outcome'] === 'success' ? 'success' : 'failure',
    errorCode: optionalString(row['error_code']),
    address: optionalString(row['address']),
  };
}

function sessionFromRow(row: Row): SessionRecord {
  return {
    id: String(row['id']),
    tokenHash: String(row['token_hash']),
    subject: String(row['subject']),
    createdAt: Number(row['created_at']),
    expiresAt: Number(row['expires_at']),
  };
}

export class AdminRecords {
  constructor(private readonly db: Database.Database) {}

  adminToken(): { id: string; tokenHash: string } | undefined {
    const row = this.db.prepare('SELECT id, token_hash FROM admin_tokens ORDER BY created_at DESC LIMIT 1').get() as Row | undefined;
    return row === undefined ? undefined : { id: String(row['id']), tokenHash: String(row['token_hash']) };
  }

  /** Replaces the admin token; sessions opened with the previous one end with it. */
  replaceAdminToken(id: string, tokenHash: string, at: number): void {
    this.db.transaction(() => {
      const previous = this.adminToken();
      this.db.prepare('DELETE FROM admin_tokens').run();
      if (previous !== undefined && previous.id !== id) {
        this.db.prepare('DELETE FROM admin_sessions WHERE subject = ?').run(`admin-token:${previous.id}`);
      }
      this.db.prepare('INSERT INTO admin_tokens (id, token_hash, created_at) VALUES (?, ?, ?)').run(id, tokenHash, at);
    })();
  }

  insertSession(session: SessionRecord): void {
    this.db
      .prepare('INSERT INTO admin_sessions (id, token_hash, subject, created_at, expires_at) VALUES (@id, @tokenHash, @subject, @createdAt, @expiresAt)')
      .run(session);
  }

  /** The unexpired session whose secret has this hash. */
  findSession(tokenHash: string, now: number): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM admin_sessions WHERE token_hash = ? AND expires_at > ?').get(tokenHash, now) as Row | undefined;
    return row === undefined ? undefined : sessionFromRow(row);
  }

  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM admin_sessions WHERE id = ?').run(id);
  }

  deleteExpiredSessions(now: number): number {
    return this.db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now).changes;
  }

  appendAudit(entry: Omit<AuditEntry, 'id'>): AuditEntry {
    const result = this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, outcome, error_code, address) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.target ?? null, entry.outcome, entry.errorCode ?? null, entry.address ?? null);
    return { ...entry, id: Number(result.lastInsertRowid) };
  }

  /** Newest first; `before` pages backwards by entry id. */
  listAudit(options: { limit: number; before?: number | undefined }): { items: AuditEntry[]; total: number } {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as Row[];
    const total = Number((this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as Row)['n']);
    return { items: rows.map(auditFromRow), total };
  }
}
