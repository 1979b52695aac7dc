/** What the PostgreSQL worker is asked and answers, across the sync bridge. */
import type { WireError } from '@shoal/protocol';
import type { Row } from '../row-values.js';

/**
 * One step of a script: a statement (as `query`), or the start or end of the transaction. A statement with
 * `requireRow` fails the script with that error when it returns no row (a lease fence's check).
 */
export type PgStep =
  | { kind: 'query'; text: string; values: readonly unknown[]; requireRow?: WireError }
  | { kind: 'begin' }
  | { kind: 'commit' };

export type PgRequest =
  /** One statement, prepared once per connection and reused (values as $1, $2, …). */
  | { kind: 'query'; text: string; values: readonly unknown[] }
  /** Statements without values, sent as one simple query (schema migrations). */
  | { kind: 'exec'; text: string }
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  /**
   * Steps run in order in one bridge call (statements whose results nobody waits for, sent with the next one that is
   * waited for); answers the last step's result. On a failure the open transaction is rolled back.
   */
  | { kind: 'script'; steps: readonly PgStep[] }
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
