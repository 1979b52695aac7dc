/** The synchronous SQL surface the PostgreSQL record modules use: statements and transactions over the sync bridge. */
import type { Row } from '../row-values.js';
import type { SyncBridge } from './sync-bridge.js';
import type { PgRequest, PgResult } from './pg-messages.js';

export class SqlSession {
  private depth = 0;

  constructor(private readonly bridge: SyncBridge<PgRequest, PgResult>) {}

  all(text: string, values: readonly unknown[] = []): Row[] {
    return this.bridge.call({ kind: 'query', text, values }).rows;
  }

  get(text: string, values: readonly unknown[] = []): Row | undefined {
    return this.all(text, values)[0];
  }

  /** Runs a statement; returns how many rows it changed. */
  run(text: string, values: readonly unknown[] = []): number {
    return this.bridge.call({ kind: 'query', text, values }).rowCount;
  }

  exec(text: string): void {
    this.bridge.call({ kind: 'exec', text });
  }

  /** Runs `body` in one PostgreSQL transaction; a transaction inside another joins it, as better-sqlite3's do. */
  transaction<T>(body: () => T): T {
    if (this.depth > 0) return body();
    this.bridge.call({ kind: 'begin' });
    this.depth = 1;
    let result: T;
    try {
      result = body();
    } catch (error) {
      this.depth = 0;
      this.bridge.call({ kind: 'rollback' });
      throw error;
    }
    this.depth = 0;
    this.bridge.call({ kind: 'commit' });
    return result;
  }

  close(): void {
    try {
      this.bridge.call({ kind: 'close' });
    } finally {
      this.bridge.close();
    }
  }
}

/** A PostgreSQL identifier (a schema name) quoted for SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
