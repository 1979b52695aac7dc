/** What the PostgreSQL worker is asked and answers, across the sync bridge. */
import type { Row } from '../row-values.js';

export type PgRequest =
  /** One statement, prepared once per connection and reused (values as $1, $2, …). */
  | { kind: 'query'; text: string; values: readonly unknown[] }
  /** Statements without values, sent as one simple query (schema migrations). */
  | { kind: 'exec'; text: string }
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  /** Takes the schema's single-coordinator lock on a connection of its own, held until close; fails when taken. */
  | { kind: 'hold-owner-lock'; key: number }
  | { kind: 'close' };

export interface PgResult {
  rows: Row[];
  rowCount: number;
}

export interface PgWorkerOptions {
  connectionString: string;
  /** The schema the store's tables live in (created when missing); PostgreSQL's default search path when undefined. */
  schema: string | undefined;
  /** How long a connection attempt or one statement may take before it fails. */
  statementTimeoutMs: number;
}
