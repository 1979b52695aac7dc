/** The administrator tables: API tokens (hashes only) with roles, console sessions and the audit log. */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import type { ApiTokenRecord, AuditEntry, Role, SessionRecord } from './records.js';
import { optionalNumber, optionalString, type Row } from './row-values.js';
import type { AdminPort } from './store.js';


export function auditFromRow(row: Row): AuditEntry {
  return {
    id: Number(row['id']),
    at: Number(row['at']),
    actor: String(row['actor']),
    action: String(row['action']),
    target: optionalString(row['target']),
    outcome: row['outcome'] === 'success' ? 'success' : 'failure',
    errorCode: optionalString(row['error_code']),
    address: optionalString(row['address']),
    detail: optionalString(row['detail']),
  };
}

export function apiTokenFromRow(row: Row): ApiTokenRecord {
  return {
    id: String(row['id']),
    name: String(row['name']),
    role: String(row['role']) as Role,
    createdAt: Number(row['created_at']),
    createdBy: optionalString(row['created_by']) ?? 'system',
    revokedAt: optionalNumber(row['revoked_at']),
  };
}

export function sessionFromRow(row: Row): SessionRecord {
  return {
    id: String(row['id']),
    tokenHash: String(row['token_hash']),
    subject: String(row['subject']),
    createdAt: Number(row['created_at']),
    expiresAt: Number(row['expires_at']),
  };
}

export class AdminRecords implements AdminPort {
  private readonly sql: Statements;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
  }

  /** The bootstrap admin token (configured with --admin-token or generated at first start). */
  bootstrapToken(): { id: string; tokenHash: string } | undefined {
    const row = this.sql("SELECT id, token_hash FROM admin_tokens WHERE name = 'bootstrap' AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1")
      .get() as Row | undefined;
    return row === undefined ? undefined : { id: String(row['id']), tokenHash: String(row['token_hash']) };
  }

  /** Replaces the bootstrap token; sessions opened with the previous one end with it. Named tokens are kept. */
  replaceBootstrapToken(id: string, tokenHash: string, at: number): void {
    this.db.transaction(() => {
      for (const row of this.sql("SELECT id FROM admin_tokens WHERE name = 'bootstrap'").all() as Row[]) {
        this.sql('DELETE FROM admin_sessions WHERE subject = ?').run(`admin-token:${String(row['id'])}`);
      }
      this.sql("DELETE FROM admin_tokens WHERE name = 'bootstrap' OR id = ?").run(id);
      this.insertApiToken({ id, tokenHash, name: 'bootstrap', role: 'admin', createdAt: at, createdBy: 'system' });
    })();
  }

  insertApiToken(token: Omit<ApiTokenRecord, 'revokedAt'> & { tokenHash: string }): void {
    this.sql('INSERT INTO admin_tokens (id, token_hash, name, role, created_at, created_by) VALUES (@id, @tokenHash, @name, @role, @createdAt, @createdBy)')
      .run(token);
  }

  /** The unrevoked token with this hash. */
  findApiToken(tokenHash: string): ApiTokenRecord | undefined {
    const row = this.sql('SELECT * FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash) as Row | undefined;
    return row === undefined ? undefined : apiTokenFromRow(row);
  }

  getApiToken(id: string): ApiTokenRecord | undefined {
    const row = this.sql('SELECT * FROM admin_tokens WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : apiTokenFromRow(row);
  }

  listApiTokens(): ApiTokenRecord[] {
    return (this.sql('SELECT * FROM admin_tokens ORDER BY created_at, id').all() as Row[]).map(apiTokenFromRow);
  }

  countActiveAdminTokens(): number {
    return Number((this.sql("SELECT COUNT(*) AS n FROM admin_tokens WHERE role = 'admin' AND revoked_at IS NULL").get() as Row)['n']);
  }

  /** Revokes a token and ends the sessions opened with it. */
  revokeApiToken(id: string, at: number): void {
    this.db.transaction(() => {
      this.sql('UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
      this.sql('DELETE FROM admin_sessions WHERE subject = ?').run(`admin-token:${id}`);
    })();
  }

  insertSession(session: SessionRecord): void {
    this.sql('INSERT INTO admin_sessions (id, token_hash, subject, created_at, expires_at) VALUES (@id, @tokenHash, @subject, @createdAt, @expiresAt)')
      .run(session);
  }

  /** The unexpired session whose secret has this hash. */
  findSession(tokenHash: string, now: number): SessionRecord | undefined {
    const row = this.sql('SELECT * FROM admin_sessions WHERE token_hash = ? AND expires_at > ?').get(tokenHash, now) as Row | undefined;
    return row === undefined ? undefined : sessionFromRow(row);
  }

  deleteSession(id: string): void {
    this.sql('DELETE FROM admin_sessions WHERE id = ?').run(id);
  }

  deleteExpiredSessions(now: number): number {
    return this.sql('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now).changes;
  }

  appendAudit(entry: Omit<AuditEntry, 'id'>): AuditEntry {
    const result = this.sql('INSERT INTO audit_log (at, actor, action, target, outcome, error_code, address, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.target ?? null, entry.outcome, entry.errorCode ?? null, entry.address ?? null, entry.detail ?? null);
    return { ...entry, id: Number(result.lastInsertRowid) };
  }

  /** Newest first; `before` pages backwards by entry id. */
  listAudit(options: { limit: number; before?: number | undefined }): { items: AuditEntry[]; total: number } {
    const rows = this.sql('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as Row[];
    const total = Number((this.sql('SELECT COUNT(*) AS n FROM audit_log').get() as Row)['n']);
    return { items: rows.map(auditFromRow), total };
  }
}
