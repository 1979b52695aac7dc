/**
 * The worker thread behind PostgresStore: a node-postgres Pool answering the bridge's requests one at a time.
 * Statements are prepared once per connection (named by their text); a transaction holds one pooled client from
 * `begin` to `commit` or `rollback`. BIGINT comes back as a number and JSONB as its text, as SQLite gives them.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import { ShoalError } from '@shoal/protocol';
import { serveSyncBridge, type BridgeEnd } from './sync-bridge.js';
import type { PgRequest, PgResult, PgStep, PgWorkerOptions } from './pg-messages.js';
import { quoteIdentifier } from './sql-session.js';

const INT8 = 20;
const NUMERIC = 1700;
const JSON_OID = 114;
const JSONB = 3802;
const asText = (value: string): string => value;
const PARSERS: Record<number, (value: string) => unknown> = { [INT8]: Number, [NUMERIC]: Number, [JSON_OID]: asText, [JSONB]: asText };

const { bridge, options } = workerData as { bridge: BridgeEnd; options: PgWorkerOptions };

const pool = new pg.Pool({
  connectionString: options.connectionString,
  // One connection holds the owner lock; requests are answered one at a time on another.
  max: 3,
  connectionTimeoutMillis: options.statementTimeoutMs,
  query_timeout: options.statementTimeoutMs,
  ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
  types: { getTypeParser: ((oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
});
// An idle client losing its server must not crash the worker; the next statement reports the failure.
pool.on('error', () => undefined);

const statementNames = new Map<string, string>();
/** The connection that holds the owner lock: a session-level advisory lock lives exactly as long as its connection. */
let owner: pg.PoolClient | undefined;
let transaction: pg.PoolClient | undefined;

/** node-postgres wants Buffers for bytea; the structured clone across the bridge turned them into Uint8Arrays. */
function toParameter(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `shoal_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

function describe(error: unknown): ShoalError {
  if (error instanceof ShoalError) return error;
  if (error instanceof pg.DatabaseError) {
    const detail = error.detail === undefined ? '' : ` (${error.detail})`;
    return new ShoalError('INTERNAL', `PostgreSQL refused a statement: ${error.message}${detail} [SQLSTATE ${error.code ?? 'unknown'}]`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ShoalError('INTERNAL', `PostgreSQL is unreachable or timed out: ${message}`, { cause: error });
}

async function endTransaction(statement: 'COMMIT' | 'ROLLBACK'): Promise<void> {
  const client = transaction;
  transaction = undefined;
  if (client === undefined) return;
  try {
    await client.query(statement);
    client.release();
  } catch (error) {
    // A client whose COMMIT or ROLLBACK failed is in an unknown state: destroy it rather than return it to the pool.
    client.release(true);
    throw error;
  }
}

const NO_ROWS: PgResult = { rows: [], rowCount: 0 };

async function query(text: string, values: readonly unknown[]): Promise<PgResult> {
  const result = await (transaction ?? pool).query({ name: statementName(text), text, values: values.map(toParameter) });
  return { rows: result.rows as PgResult['rows'], rowCount: result.rowCount ?? 0 };
}

async function runScript(steps: readonly PgStep[]): Promise<PgResult> {
  let last = NO_ROWS;
  try {
    for (const step of steps) {
      if (step.kind !== 'query') {
        last = await handle(step);
        continue;
      }
      last = await query(step.text, step.values);
      if (step.requireRow !== undefined && last.rows.length === 0) throw ShoalError.fromWire(step.requireRow);
    }
    return last;
  } catch (error) {
    // The caller's transaction is over: nothing after the failed step ran, and nothing before it stays.
    await endTransaction('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function handle(request: PgRequest): Promise<PgResult> {
  switch (request.kind) {
    case 'query':
      return query(request.text, request.values);
    case 'script':
      return runScript(request.steps);
    case 'exec':
      await (transaction ?? pool).query(request.text);
      return { rows: [], rowCount: 0 };
    case 'begin':
      if (transaction !== undefined) throw new ShoalError('INTERNAL', 'PostgresStore began a transaction inside another');
      transaction = await pool.connect();
      await transaction.query('BEGIN');
      return { rows: [], rowCount: 0 };
    case 'commit':
      await endTransaction('COMMIT');
      return { rows: [], rowCount: 0 };
    case 'rollback':
      await endTransaction('ROLLBACK');
      return { rows: [], rowCount: 0 };
    case 'hold-owner-lock': {
      const client = await pool.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext(coalesce($2::text, current_schema(), \'\'))) AS locked', [request.key, options.schema ?? null]);
      if (rows[0]?.locked !== true) {
        client.release();
        throw new ShoalError('CONFLICT', 'another coordinator already uses this PostgreSQL database and schema; several coordinator nodes on one database must all run as a cluster (--redis-url)');
      }
      owner = client;
      return { rows: [], rowCount: 0 };
    }
    case 'close':
      transaction?.release(true);
      transaction = undefined;
      owner?.release(true);
      owner = undefined;
      await pool.end();
      return { rows: [], rowCount: 0 };
  }
}

serveSyncBridge<PgRequest, PgResult>(bridge, (request) => handle(request).catch((error: unknown) => Promise.reject(describe(error))));
