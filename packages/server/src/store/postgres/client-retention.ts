/**
 * Keeps the rows of unenrolled clients bounded on PostgreSQL (see store/client-retention.ts for the policy): expired
 * ones go, then the least recently seen beyond the maximum, never an online one and never an enrolled device.
 */
import type { ClientRetentionPort } from '../store.js';
import type { SqlSession } from './sql-session.js';

const BATCH = 500;
const UNENROLLED = 'NOT EXISTS (SELECT 1 FROM devices d WHERE d.client_id = clients.id)';

export class PgClientRetention implements ClientRetentionPort {
  /** `beforeRead` writes what is pending for the clients table (batched last-seen times) before it is judged. */
  constructor(
    private readonly sql: SqlSession,
    private readonly beforeRead: () => void = () => {},
  ) {}

  unenrolledCount(): number {
    return Number(this.sql.get(`SELECT COUNT(*) AS n FROM clients WHERE ${UNENROLLED}`)?.['n']);
  }

  prune(options: { before: number; keepAtMost: number; isOnline: (id: string) => boolean }): number {
    this.beforeRead();
    return this.sql.transaction(() => {
      const doomed: string[] = [];
      let excess = this.unenrolledCount() - options.keepAtMost;
      // Oldest first from a cursor, so skipped online clients are not read again; a page's victims go in one DELETE.
      let after: [number, string] = [Number.MIN_SAFE_INTEGER, ''];
      let more = true;
      while (more) {
        const page = this.sql.all(
          `SELECT id, last_seen_at FROM clients WHERE ${UNENROLLED} AND (last_seen_at, id) > ($1, $2) ORDER BY last_seen_at, id LIMIT ${BATCH}`,
          after,
        );
        more = page.length === BATCH;
        for (const row of page) {
          const id = String(row['id']);
          if (Number(row['last_seen_at']) >= options.before && excess <= 0) {
            more = false;
            break;
          }
          if (options.isOnline(id)) continue;
          doomed.push(id);
          excess -= 1;
        }
        const last = page.at(-1);
        if (last !== undefined) after = [Number(last['last_seen_at']), String(last['id'])];
      }
      if (doomed.length > 0) this.sql.run('DELETE FROM clients WHERE id = ANY($1::text[])', [doomed]);
      return doomed.length;
    });
  }
}
