import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../../test/support/postgres-server.js';
import { storeContract } from '../testing/index.js';
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
