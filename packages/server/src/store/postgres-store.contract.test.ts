import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../../test/support/postgres-server.js';
import { storeContract } from '../testing/index.js';
import { clientRecord } from '../testing/store-contract/fixtures.js';
import { PostgresStore } from './postgres/postgres-store.js';

// One server for the file; each test gets its own empty schema, dropped after it.
let server: PostgresServer;
let admin: pg.Client;
let schemas = 0;

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

storeContract('PostgresStore', {
  open: () => new PostgresStore({ connectionString: server.url, schema: `contract_${++schemas}` }),
  dispose: async (store) => {
    store.close();
    await admin.query(`DROP SCHEMA "${store.options.schema}" CASCADE`);
  },
});

describe('PostgresStore last-seen touches', () => {
  it('writes touches behind, in one batch, and at close; another connection sees them only then', async () => {
    const schema = `touches_${++schemas}`;
    const store = new PostgresStore({ connectionString: server.url, schema });
    let closed = false;
    const seen = async (id: string) => Number((await admin.query(`SELECT last_seen_at FROM "${schema}".clients WHERE id = $1`, [id])).rows[0].last_seen_at);
    try {
      store.upsertClient(clientRecord('c1', { lastSeenAt: 100 }));
      store.upsertClient(clientRecord("c'2", { lastSeenAt: 100 }));
      store.touchClient('c1', 900);
      store.touchClient("c'2", 950);
      expect([await seen('c1'), await seen("c'2")]).toEqual([100, 100]);
      expect(store.getClient('c1')?.lastSeenAt).toBe(900);
      store.close();
      closed = true;
      expect([await seen('c1'), await seen("c'2")]).toEqual([900, 950]);
    } finally {
      if (!closed) store.close();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });
});

describe('PostgresStore owner lock', () => {
  it('refuses a second coordinator on the same schema with CONFLICT, and admits one once the first has closed', async () => {
    const schema = `owner_${++schemas}`;
    const first = new PostgresStore({ connectionString: server.url, schema });
    let second: PostgresStore | undefined;
    let firstOpen = true;
    try {
      expect(() => new PostgresStore({ connectionString: server.url, schema })).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'CONFLICT' }));
      const other = new PostgresStore({ connectionString: server.url, schema: `${schema}_other` });
      other.close();
      first.close();
      firstOpen = false;
      second = new PostgresStore({ connectionString: server.url, schema });
      expect(second.listJobs()).toEqual([]);
    } finally {
      if (firstOpen) first.close();
      second?.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}_other" CASCADE`);
    }
  });
});
