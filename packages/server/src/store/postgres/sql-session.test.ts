import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { startPostgres, type PostgresServer } from '../../../../../test/support/postgres-server.js';
import type { PgRequest, PgResult, PgWorkerOptions } from './pg-messages.js';
import { SqlSession } from './sql-session.js';
import { SyncBridge } from './sync-bridge.js';

// The worker and a real server: what SqlSession defers must commit or roll back exactly as sent one by one.
let server: PostgresServer;
let admin: pg.Client;
let session: SqlSession;
let calls = 0;

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
  const options: PgWorkerOptions = { connectionString: server.url, schema: undefined, statementTimeoutMs: 30_000 };
  const bridge = new SyncBridge<PgRequest, PgResult>(new URL('./pg-worker.ts', import.meta.url), { name: 'test', timeoutMs: 60_000, options });
  const call = bridge.call.bind(bridge);
  bridge.call = (request) => {
    calls++;
    return call(request);
  };
  session = new SqlSession(bridge);
});

afterAll(async () => {
  session?.close();
  await admin?.end();
  await server?.stop();
});

const labels = async () => (await admin.query('SELECT id, label FROM items ORDER BY id')).rows.map((row) => `${row.id}:${row.label}`);

describe('SqlSession', () => {
  it('sends a transaction of writes as one call, and its reads with the writes before them', async () => {
    await admin.query('DELETE FROM items');
    calls = 0;
    session.transaction(() => {
      for (let id = 1; id <= 5; id++) session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [id, `w${id}`]);
    });
    expect(calls).toBe(1);
    expect(await labels()).toEqual(['1:w1', '2:w2', '3:w3', '4:w4', '5:w5']);

    calls = 0;
    const seen = session.transaction(() => {
      session.write('UPDATE items SET label = $1 WHERE id = $2', ['changed', 1]);
      return session.get('SELECT label FROM items WHERE id = $1', [1])?.['label'];
    });
    expect(seen).toBe('changed');
    expect(calls).toBe(2);
    // Nothing reached the database: nothing is sent.
    calls = 0;
    expect(session.transaction(() => 7)).toBe(7);
    expect(calls).toBe(0);
  });

  it('rolls back every deferred write when a later one fails, and stays usable', async () => {
    await admin.query('DELETE FROM items');
    await admin.query("INSERT INTO items (id, label) VALUES (1, 'kept')");
    expect(() =>
      session.transaction(() => {
        session.write('UPDATE items SET label = $1 WHERE id = $2', ['lost', 1]);
        session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [2, 'lost']);
        session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [1, 'duplicate key']);
      }),
    ).toThrow(/PostgreSQL refused a statement.*duplicate key/);
    expect(await labels()).toEqual(['1:kept']);
    session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [3, 'after']);
    expect(await labels()).toEqual(['1:kept', '3:after']);
  });

  it('fails a transaction at a required row that is missing, before the writes after it and with its error', async () => {
    await admin.query('DELETE FROM items');
    const missing = new ShoalError('LEASE_LOST', 'the fence row is gone');
    expect(() =>
      session.transaction(() => {
        session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [1, 'before']);
        session.requireRow('SELECT 1 FROM items WHERE id = $1', [99], missing);
        session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [2, 'after']);
      }),
    ).toThrow(expect.objectContaining({ code: 'LEASE_LOST', message: 'the fence row is gone' }));
    expect(await labels()).toEqual([]);
    // A body that throws after its writes were sent rolls them back too.
    expect(() =>
      session.transaction(() => {
        session.write('INSERT INTO items (id, label) VALUES ($1, $2)', [1, 'sent']);
        session.all('SELECT 1');
        throw new Error('the body failed');
      }),
    ).toThrow('the body failed');
    expect(await labels()).toEqual([]);
  });
});
