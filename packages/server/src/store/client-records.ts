/** The clients table: who said hello, with what capabilities and when, and the fleet view's reads over it. */
import type Database from 'better-sqlite3';
import { countClients, queryClients, recentContributions } from './client-query.js';
import type { ClientRecord } from './records.js';
import { clientFromRow } from './row-mappers.js';
import type { Row } from './row-values.js';
import type { ClientQuery, ClientsPort, RecentContribution } from './store.js';

export class ClientRecords implements ClientsPort {
  constructor(private readonly db: Database.Database) {}

  upsertClient(client: ClientRecord): void {
    this.db
      .prepare(
        `INSERT INTO clients (id, name, capabilities, first_seen_at, last_seen_at) VALUES (@id, @name, @capabilities, @firstSeenAt, @lastSeenAt)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, last_seen_at = excluded.last_seen_at`,
      )
      .run({ ...client, capabilities: JSON.stringify(client.capabilities) });
  }

  touchClient(id: string, at: number): void {
    this.db.prepare('UPDATE clients SET last_seen_at = ? WHERE id = ?').run(at, id);
  }

  getClient(id: string): ClientRecord | undefined {
    const row = this.db.prepare('SELECT * FROM clients WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : clientFromRow(row);
  }

  listClients(): ClientRecord[] {
    return (this.db.prepare('SELECT * FROM clients ORDER BY id').all() as Row[]).map(clientFromRow);
  }

  contributionCounts(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT client_id, COUNT(*) AS n FROM contributions WHERE status = 'accepted' GROUP BY client_id`)
      .all() as Row[];
    return new Map(rows.map((row) => [String(row['client_id']), Number(row['n'])]));
  }

  queryClients(query: ClientQuery): { items: { client: ClientRecord; contributions: number }[]; total: number } {
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
