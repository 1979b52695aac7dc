/**
 * Keeps the rows of unenrolled clients bounded: anyone may say hello without enrolment, so their rows expire when
 * unseen for a while, and beyond a maximum the least recently seen offline ones make room. Enrolled devices (rows
 * in `devices`) are never touched here.
 */
import type Database from 'better-sqlite3';
import type { ClientRetentionPort } from './store.js';

const BATCH = 500;

export class ClientRetention implements ClientRetentionPort {
  private readonly countStatement;
  private readonly pageStatement;
  private readonly deleteStatement;

  /** `beforeRead` writes what is pending for the clients table (batched last-seen times) before it is judged. */
  constructor(
    private readonly db: Database.Database,
    private readonly beforeRead: () => void = () => {},
  ) {
    this.countStatement = db.prepare('SELECT COUNT(*) AS n FROM clients WHERE id NOT IN (SELECT client_id FROM devices)');
    // Oldest first, from a cursor (last_seen_at, id), so online clients that are skipped are not read again.
    this.pageStatement = db.prepare(
      `SELECT id, last_seen_at AS lastSeenAt FROM clients WHERE id NOT IN (SELECT client_id FROM devices) AND (last_seen_at, id) > (?, ?)
       ORDER BY last_seen_at, id LIMIT ${BATCH}`,
    );
    this.deleteStatement = db.prepare('DELETE FROM clients WHERE id = ?');
  }

  unenrolledCount(): number {
    return Number((this.countStatement.get() as { n: number }).n);
  }

  /**
   * Deletes unenrolled clients last seen before `before`, and then, while more than `keepAtMost` remain, the least
   * recently seen ones; never one for which `isOnline` is true. Returns how many rows went.
   */
  prune(options: { before: number; keepAtMost: number; isOnline: (id: string) => boolean }): number {
    this.beforeRead();
    return this.db.transaction(() => {
      let removed = 0;
      let excess = this.unenrolledCount() - options.keepAtMost;
      let cursor: [number, string] = [Number.MIN_SAFE_INTEGER, ''];
      for (;;) {
        const rows = this.pageStatement.all(...cursor) as { id: string; lastSeenAt: number }[];
        for (const row of rows) {
          if (row.lastSeenAt >= options.before && excess <= 0) return removed;
          if (options.isOnline(row.id)) continue;
          this.deleteStatement.run(row.id);
          removed += 1;
          excess -= 1;
        }
        if (rows.length < BATCH) return removed;
        cursor = [rows.at(-1)!.lastSeenAt, rows.at(-1)!.id];
      }
    })();
  }
}
