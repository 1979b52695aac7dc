/** The synchronous SQL surface the PostgreSQL record modules use: statements and transactions over the sync bridge. */
import type { ShoalError } from '@shoal/protocol';
import type { Row } from '../row-values.js';
import type { SyncBridge } from './sync-bridge.js';
import type { PgRequest, PgResult, PgStep } from './pg-messages.js';

export class SqlSession {
  private depth = 0;
  /**
   * Steps of the open transaction not sent yet: its BEGIN until its first statement that is waited for, and the writes
   * nobody waits for. They go with the next call, so a transaction of writes costs one trip through the bridge.
   */
  private pending: PgStep[] = [];

  constructor(private readonly bridge: SyncBridge<PgRequest, PgResult>) {}

  all(text: string, values: readonly unknown[] = []): Row[] {
    return this.send({ kind: 'query', text, values }).rows;
  }

  get(text: string, values: readonly unknown[] = []): Row | undefined {
    return this.all(text, values)[0];
  }

  /** Runs a statement; returns how many rows it changed. */
  run(text: string, values: readonly unknown[] = []): number {
    return this.send({ kind: 'query', text, values }).rowCount;
  }

  /**
   * A statement whose result nobody reads: inside a transaction it is sent with the transaction's next call (its
   * failure fails the transaction there, before anything commits); outside one it runs now.
   */
  write(text: string, values: readonly unknown[] = []): void {
    this.defer({ kind: 'query', text, values });
  }

  /** Like write, for a statement that must return a row: when it returns none, the transaction fails with `error`. */
  requireRow(text: string, values: readonly unknown[], error: ShoalError): void {
    this.defer({ kind: 'query', text, values, requireRow: error.toWire() });
  }

  exec(text: string): void {
    this.flush();
    this.bridge.call({ kind: 'exec', text });
  }

  /** Runs `body` in one PostgreSQL transaction; a transaction inside another joins it, as better-sqlite3's do. */
  transaction<T>(body: () => T): T {
    if (this.depth > 0) return body();
    this.pending = [{ kind: 'begin' }];
    this.depth = 1;
    let result: T;
    try {
      result = body();
    } catch (error) {
      this.abort();
      throw error;
    }
    this.depth = 0;
    const steps = this.pending;
    this.pending = [];
    // A transaction that sent nothing (its body neither read nor wrote) has nothing to commit.
    if (steps.length !== 1 || steps[0]!.kind !== 'begin') this.bridge.call({ kind: 'script', steps: [...steps, { kind: 'commit' }] });
    return result;
  }

  close(): void {
    try {
      this.bridge.call({ kind: 'close' });
    } finally {
      this.bridge.close();
    }
  }

  private defer(step: PgStep & { kind: 'query' }): void {
    if (this.depth > 0) this.pending.push(step);
    else this.send(step);
  }

  /** Sends a statement that is waited for, after the steps pending before it. */
  private send(step: PgStep & { kind: 'query' }): PgResult {
    if (this.pending.length === 0 && step.requireRow === undefined) return this.bridge.call({ kind: 'query', text: step.text, values: step.values });
    const steps = [...this.pending, step];
    this.pending = [];
    return this.bridge.call({ kind: 'script', steps });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const steps = this.pending;
    this.pending = [];
    this.bridge.call({ kind: 'script', steps });
  }

  /** The body failed: roll back what reached the database (a failed script already did; then this is a no-op). */
  private abort(): void {
    this.depth = 0;
    const begun = this.pending[0]?.kind !== 'begin';
    this.pending = [];
    if (begun) this.bridge.call({ kind: 'rollback' });
  }
}

/** A PostgreSQL identifier (a schema name) quoted for SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
