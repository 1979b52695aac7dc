/** Paged, filtered and sorted reads of the clients table, so the fleet view stays fast with many thousands of clients. */
import type Database from 'better-sqlite3';
import { statements } from './prepared-statements.js';
import type { ContributionStatus } from './records.js';
import type { Row } from './row-values.js';
import type { ClientQuery, ClientSortKey, RecentContribution } from './store.js';

export { CLIENT_SORT_KEYS, type ClientQuery, type ClientSortKey, type RecentContribution } from './store.js';

const ONLINE = `c.id IN (SELECT value FROM json_each(@online))`;
const ACCEPTED_COUNT = `(SELECT COUNT(*) FROM contributions k WHERE k.client_id = c.id AND k.status = 'accepted')`;
const ORDER: Record<ClientSortKey, string> = {
  id: 'c.id',
  name: 'c.name COLLATE NOCASE',
  status: `(${ONLINE})`,
  lastSeen: 'c.last_seen_at',
  contributions: ACCEPTED_COUNT,
  platform: `json_extract(c.capabilities, '$.platform') COLLATE NOCASE`,
  backend: `json_extract(c.capabilities, '$.backend') COLLATE NOCASE`,
};

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** The page's rows (each with its accepted-contribution count) and how many rows match the filter. */
export function queryClients(db: Database.Database, query: ClientQuery): { rows: Row[]; total: number } {
  const conditions: string[] = [];
  const params: Record<string, unknown> = { online: JSON.stringify(query.onlineIds), limit: query.limit, offset: query.offset };
  if (query.search !== undefined && query.search !== '') {
    params['search'] = likePattern(query.search);
    conditions.push(
      `(c.id LIKE @search ESCAPE '\\' OR c.name LIKE @search ESCAPE '\\' OR json_extract(c.capabilities, '$.platform') LIKE @search ESCAPE '\\'
        OR json_extract(c.capabilities, '$.backend') LIKE @search ESCAPE '\\' OR json_extract(c.capabilities, '$.agentVersion') LIKE @search ESCAPE '\\')`,
    );
  }
  if (query.status !== undefined) conditions.push(query.status === 'online' ? ONLINE : `NOT ${ONLINE}`);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const direction = query.descending ? 'DESC' : 'ASC';
  const rows = statements(db)(
      `SELECT c.*, ${ACCEPTED_COUNT} AS contributions FROM clients c ${where}
       ORDER BY ${ORDER[query.sort]} ${direction}, c.id LIMIT @limit OFFSET @offset`,
    )
    .all(params) as Row[];
  // better-sqlite3 ignores named parameters a statement does not use, so both statements take the same object.
  const total = Number((statements(db)(`SELECT COUNT(*) AS n FROM clients c ${where}`).get(params) as Row)['n']);
  return { rows, total };
}

/** The `perClient` most recent contributions of each client, newest first. */
export function recentContributions(db: Database.Database, clientIds: readonly string[], perClient: number): Map<string, RecentContribution[]> {
  const result = new Map<string, RecentContribution[]>(clientIds.map((id) => [id, []]));
  if (clientIds.length === 0) return result;
  const rows = statements(db)(
      `SELECT client_id, job_id, round, status, updated_at FROM (
         SELECT k.*, ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY updated_at DESC, round DESC) AS position
         FROM contributions k WHERE client_id IN (SELECT value FROM json_each(?))
       ) WHERE position <= ? ORDER BY client_id, position`,
    )
    .all(JSON.stringify(clientIds), perClient) as Row[];
  for (const row of rows) result.get(String(row['client_id']))?.push(recentFromRow(row));
  return result;
}

/** One row of the recent-contributions query (client_id, job_id, round, status, updated_at). */
export function recentFromRow(row: Row): RecentContribution {
  return { jobId: String(row['job_id']), round: Number(row['round']), status: row['status'] as ContributionStatus, at: Number(row['updated_at']) };
}

export function countClients(db: Database.Database): number {
  return Number((statements(db)('SELECT COUNT(*) AS n FROM clients').get() as Row)['n']);
}
