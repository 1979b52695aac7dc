/**
 * One prepared statement per SQL text and database: better-sqlite3 compiles a statement on every `prepare`, which
 * costs more than running most of ours, so each text is compiled on first use and reused after.
 */
import type Database from 'better-sqlite3';

export type Statements = (sql: string) => Database.Statement;

const byDatabase = new WeakMap<Database.Database, Statements>();

/** The statement cache of `db`, shared by every module that works on it. */
export function statements(db: Database.Database): Statements {
  let lookup = byDatabase.get(db);
  if (lookup === undefined) {
    const cache = new Map<string, Database.Statement>();
    lookup = (sql) => {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    };
    byDatabase.set(db, lookup);
  }
  return lookup;
}
