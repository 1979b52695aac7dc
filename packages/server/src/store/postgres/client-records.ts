/**
 * The clients table on PostgreSQL: who said hello, with what capabilities and when, and the fleet view's reads over it.
 * Last-seen touches wait in the store's LastSeenBuffer, as on SQLite: a read of one client overlays its pending touch,
 * reads of many write the pending ones first, so every read through this store is exact.
 */
import type { LastSeenBuffer } from '../last-seen-buffer.js';
import type { ClientRecord } from '../records.js';
import { recentFromRow } from '../client-query.js';
import { clientFromRow } from '../row-mappers.js';
import type { ClientQuery, ClientSortKey, ClientsPort, RecentContribution } from '../store.js';
import type { SqlSession } from './sql-session.js';

const ACCEPTED_COUNT = `(SELECT COUNT(*) FROM contributions k WHERE k.client_id = c.id AND k.status = 'accepted')`;
/** SQLite's NOCASE folds ASCII only and sorts NULL first; lower() under COLLATE "C" and NULLS FIRST/LAST match it. */
const ORDER: Record<ClientSortKey, { expression: (online: () => string) => string; nullable: boolean }> = {
  id: { expression: () => 'c.id', nullable: false },
  name: { expression: () => 'lower(c.name)', nullable: false },
  status: { expression: (online) => `(c.id = ANY(${online()}::text[]))`, nullable: false },
  lastSeen: { expression: () => 'c.last_seen_at', nullable: false },
  contributions: { expression: () => ACCEPTED_COUNT, nullable: false },
  platform: { expression: () => `lower(c.capabilities->>'platform')`, nullable: true },
  backend: { expression: () => `lower(c.capabilities->>'backend')`, nullable: true },
};
const SEARCHED = ['c.id', 'c.name', `c.capabilities->>'platform'`, `c.capabilities->>'backend'`, `c.capabilities->>'agentVersion'`];

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Writes a batch of last-seen touches in one statement: the ids and times go as two arrays, however many there are. */
export function writeLastSeen(sql: SqlSession, seen: ReadonlyMap<string, number>): void {
  sql.run(
    `UPDATE clients SET last_seen_at = seen.at FROM unnest($1::text[], $2::bigint[]) AS seen(id, at) WHERE clients.id = seen.id`,
    [[...seen.keys()], [...seen.values()]],
  );
}

export class PgClientRecords implements ClientsPort {
  /** `lastSeen` writes with writeLastSeen; the store flushes it at close. */
  constructor(
    private readonly sql: SqlSession,
    private readonly lastSeen: LastSeenBuffer,
  ) {}

  upsertClient(client: ClientRecord): boolean {
    this.lastSeen.forget(client.id);
    // xmax is 0 on a row version this statement inserted, and this transaction's id on one it updated.
    const row = this.sql.get(
      `INSERT INTO clients (id, name, capabilities, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, last_seen_at = excluded.last_seen_at
       RETURNING (xmax = 0) AS inserted`,
      [client.id, client.name, JSON.stringify(client.capabilities), client.firstSeenAt, client.lastSeenAt],
    );
    return row?.['inserted'] === true;
  }

  touchClient(id: string, at: number): void {
    this.lastSeen.touch(id, at);
  }

  getClient(id: string): ClientRecord | undefined {
    const row = this.sql.get('SELECT * FROM clients WHERE id = $1', [id]);
    return row === undefined ? undefined : this.lastSeen.overlay(clientFromRow(row));
  }

  listClients(): ClientRecord[] {
    this.lastSeen.flush();
    return this.sql.all('SELECT * FROM clients ORDER BY id').map(clientFromRow);
  }

  contributionCounts(): Map<string, number> {
    const rows = this.sql.all(`SELECT client_id, COUNT(*) AS n FROM contributions WHERE status = 'accepted' GROUP BY client_id`);
    return new Map(rows.map((row) => [String(row['client_id']), Number(row['n'])]));
  }

  queryClients(query: ClientQuery): { items: { client: ClientRecord; contributions: number }[]; total: number } {
    this.lastSeen.flush();
    // PostgreSQL refuses a parameter a statement does not use, so each value gets a placeholder only when referenced.
    const values: unknown[] = [];
    const parameter = (value: unknown): string => `$${values.push(value)}`;
    let onlinePlaceholder: string | undefined;
    const online = (): string => (onlinePlaceholder ??= parameter(query.onlineIds));
    const conditions: string[] = [];
    if (query.search !== undefined && query.search !== '') {
      const search = parameter(likePattern(query.search));
      // ILIKE: SQLite's LIKE ignores ASCII case.
      conditions.push(`(${SEARCHED.map((column) => `${column} ILIKE ${search}`).join(' OR ')})`);
    }
    if (query.status !== undefined) conditions.push(`${query.status === 'online' ? '' : 'NOT '}c.id = ANY(${online()}::text[])`);
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const filterValues = [...values];
    const order = ORDER[query.sort];
    const direction = query.descending ? 'DESC' : 'ASC';
    const nulls = order.nullable ? (query.descending ? ' NULLS LAST' : ' NULLS FIRST') : '';
    const orderBy = `${order.expression(online)} ${direction}${nulls}, c.id`;
    const rows = this.sql.all(
      `SELECT c.*, ${ACCEPTED_COUNT} AS contributions FROM clients c ${where} ORDER BY ${orderBy} LIMIT ${parameter(query.limit)} OFFSET ${parameter(query.offset)}`,
      values,
    );
    const total = Number(this.sql.get(`SELECT COUNT(*) AS n FROM clients c ${where}`, filterValues)?.['n']);
    return { items: rows.map((row) => ({ client: clientFromRow(row), contributions: Number(row['contributions']) })), total };
  }

  /** The `perClient` most recent contributions of each client, newest first. */
  recentContributions(clientIds: readonly string[], perClient: number): Map<string, RecentContribution[]> {
    const result = new Map<string, RecentContribution[]>(clientIds.map((id) => [id, []]));
    if (clientIds.length === 0) return result;
    const rows = this.sql.all(
      `SELECT client_id, job_id, round, status, updated_at FROM (
         SELECT k.*, ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY updated_at DESC, round DESC) AS position
         FROM contributions k WHERE client_id = ANY($1::text[])
       ) AS ranked WHERE position <= $2 ORDER BY client_id, position`,
      [clientIds, perClient],
    );
    for (const row of rows) result.get(String(row['client_id']))?.push(recentFromRow(row));
    return result;
  }

  countClients(): number {
    return Number(this.sql.get('SELECT COUNT(*) AS n FROM clients')?.['n']);
  }
}
