/**
 * The clients table: who said hello, with what capabilities and when, and the fleet view's reads over it. Last-seen
 * touches are batched (last-seen-buffer.ts); a read of one client overlays its pending touch, and reads of many write
 * the pending ones first, so every read is exact.
 */
import type Database from 'better-sqlite3';
import { statements, type Statements } from './prepared-statements.js';
import { countClients, queryClients, recentContributions } from './client-query.js';
import { LastSeenBuffer } from './last-seen-buffer.js';
import type { ClientRecord } from './records.js';
import { clientFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { ClientQuery, ClientsPort, RecentContribution } from './store.js';

export class ClientRecords implements ClientsPort {
  private readonly sql: Statements;
  private readonly lastSeen: LastSeenBuffer;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
    this.lastSeen = new LastSeenBuffer((seen) => this.writeLastSeen(seen));
  }

  /** Writes the pending last-seen touches, in one transaction. */
  flushLastSeen(): void {
    this.lastSeen.flush();
  }

  /** Flushes and stops the write-behind timer; called before the database closes. */
  close(): void {
    this.lastSeen.flush();
    this.lastSeen.stop();
  }

  private writeLastSeen(seen: ReadonlyMap<string, number>): void {
    const update = this.sql('UPDATE clients SET last_seen_at = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const [id, at] of seen) update.run(at, id);
    })();
  }

  upsertClient(client: ClientRecord): boolean {
    this.lastSeen.forget(client.id);
    // SQLite has no way to tell an upsert's insert from its update in one statement; both run in one transaction.
    return this.db.transaction(() => {
      const known = this.sql('SELECT 1 FROM clients WHERE id = ?').get(client.id) !== undefined;
      this.sql(
        `INSERT INTO clients (id, name, capabilities, first_seen_at, last_seen_at) VALUES (@id, @name, @capabilities, @firstSeenAt, @lastSeenAt)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, last_seen_at = excluded.last_seen_at`,
      ).run({ ...client, capabilities: JSON.stringify(client.capabilities) });
      return !known;
    })();
  }

  touchClient(id: string, at: number): void {
    this.lastSeen.touch(id, at);
  }

  getClient(id: string): ClientRecord | undefined {
    const row = this.sql('SELECT * FROM clients WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : this.lastSeen.overlay(clientFromRow(row));
  }

  listClients(): ClientRecord[] {
    this.lastSeen.flush();
    return (this.sql('SELECT * FROM clients ORDER BY id').all() as Row[]).map(clientFromRow);
  }

  contributionCounts(): Map<string, number> {
    const rows = this.sql(`SELECT client_id, COUNT(*) AS n FROM contributions WHERE status = 'accepted' GROUP BY client_id`)
      .all() as Row[];
    return new Map(rows.map((row) => [String(row['client_id']), Number(row['n'])]));
  }

  queryClients(query: ClientQuery): { items: { client: ClientRecord; contributions: number }[]; total: number } {
    this.lastSeen.flush();
    const { rows, total } = queryClients(this.db, query);
    return { items: rows.map((row) => ({ client: clientFromRow(row), contributions: Number(row['contributions']) })), total };
  }

  recentContributions(clientIds: readonly string[], perClient: number): Map<string, RecentContribution[]> {
    return recentContributions(this.db, clientIds, perClient);
  }

  countClients(): number {
    return countClients(this.db);
  }
}
