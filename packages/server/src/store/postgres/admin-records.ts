/** The administrator tables on PostgreSQL: API tokens (hashes only) with roles, console sessions and the audit log. */
import { apiTokenFromRow, auditFromRow, sessionFromRow } from '../admin-records.js';
import type { ApiTokenRecord, AuditEntry, SessionRecord } from '../records.js';
import type { AdminPort } from '../store.js';
import type { SqlSession } from './sql-session.js';

export class PgAdminRecords implements AdminPort {
  constructor(private readonly sql: SqlSession) {}

  bootstrapToken(): { id: string; tokenHash: string } | undefined {
    const row = this.sql.get("SELECT id, token_hash FROM admin_tokens WHERE name = 'bootstrap' AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1");
    return row === undefined ? undefined : { id: String(row['id']), tokenHash: String(row['token_hash']) };
  }

  /** Sessions opened with the previous bootstrap token end with it; named tokens are kept. */
  replaceBootstrapToken(id: string, tokenHash: string, at: number): void {
    this.sql.transaction(() => {
      this.sql.run(`DELETE FROM admin_sessions WHERE subject IN (SELECT 'admin-token:' || id FROM admin_tokens WHERE name = 'bootstrap')`);
      this.sql.run("DELETE FROM admin_tokens WHERE name = 'bootstrap' OR id = $1", [id]);
      this.insertApiToken({ id, tokenHash, name: 'bootstrap', role: 'admin', createdAt: at, createdBy: 'system' });
    });
  }

  insertApiToken(token: Omit<ApiTokenRecord, 'revokedAt'> & { tokenHash: string }): void {
    this.sql.run('INSERT INTO admin_tokens (id, token_hash, name, role, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [
      token.id,
      token.tokenHash,
      token.name,
      token.role,
      token.createdAt,
      token.createdBy,
    ]);
  }

  findApiToken(tokenHash: string): ApiTokenRecord | undefined {
    const row = this.sql.get('SELECT * FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
    return row === undefined ? undefined : apiTokenFromRow(row);
  }

  getApiToken(id: string): ApiTokenRecord | undefined {
    const row = this.sql.get('SELECT * FROM admin_tokens WHERE id = $1', [id]);
    return row === undefined ? undefined : apiTokenFromRow(row);
  }

  listApiTokens(): ApiTokenRecord[] {
    return this.sql.all('SELECT * FROM admin_tokens ORDER BY created_at, id').map(apiTokenFromRow);
  }

  countActiveAdminTokens(): number {
    return Number(this.sql.get("SELECT COUNT(*) AS n FROM admin_tokens WHERE role = 'admin' AND revoked_at IS NULL")?.['n']);
  }

  revokeApiToken(id: string, at: number): void {
    this.sql.transaction(() => {
      this.sql.run('UPDATE admin_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
      this.sql.run('DELETE FROM admin_sessions WHERE subject = $1', [`admin-token:${id}`]);
    });
  }

  insertSession(session: SessionRecord): void {
    this.sql.run('INSERT INTO admin_sessions (id, token_hash, subject, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      session.id,
      session.tokenHash,
      session.subject,
      session.createdAt,
      session.expiresAt,
    ]);
  }

  findSession(tokenHash: string, now: number): SessionRecord | undefined {
    const row = this.sql.get('SELECT * FROM admin_sessions WHERE token_hash = $1 AND expires_at > $2', [tokenHash, now]);
    return row === undefined ? undefined : sessionFromRow(row);
  }

  deleteSession(id: string): void {
    this.sql.run('DELETE FROM admin_sessions WHERE id = $1', [id]);
  }

  deleteExpiredSessions(now: number): number {
    return this.sql.run('DELETE FROM admin_sessions WHERE expires_at <= $1', [now]);
  }

  appendAudit(entry: Omit<AuditEntry, 'id'>): AuditEntry {
    const row = this.sql.get(
      'INSERT INTO audit_log (at, actor, action, target, outcome, error_code, address, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
      [entry.at, entry.actor, entry.action, entry.target ?? null, entry.outcome, entry.errorCode ?? null, entry.address ?? null, entry.detail ?? null],
    );
    return { ...entry, id: Number(row?.['id']) };
  }

  listAudit(options: { limit: number; before?: number | undefined }): { items: AuditEntry[]; total: number } {
    const rows = this.sql.all('SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2', [options.before ?? Number.MAX_SAFE_INTEGER, options.limit]);
    const total = Number(this.sql.get('SELECT COUNT(*) AS n FROM audit_log')?.['n']);
    return { items: rows.map(auditFromRow), total };
  }
}
