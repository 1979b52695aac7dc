import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { storeContract, type ContractStore } from '../testing/index.js';
import { SqliteStore } from './sqlite-store.js';

/** Every method answers with a promise a tick later: what an asynchronous store looks like, so a missing await fails here. */
function behindPromises(target: object): ContractStore {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value === 'function') return (...args: unknown[]) => Promise.resolve().then(() => value.apply(object, args));
      return typeof value === 'object' && value !== null ? behindPromises(value) : value;
    },
  }) as ContractStore;
}

storeContract('SqliteStore on a file', {
  open: () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'shoal-store-')), 'store', 'shoal.sqlite')),
  dispose: (store) => {
    store.close();
    rmSync(dirname(dirname(store.path)), { recursive: true, force: true });
  },
});

storeContract('SqliteStore in memory', {
  open: () => new SqliteStore(':memory:'),
  dispose: (store) => store.close(),
});

storeContract('SqliteStore behind promises', {
  open: () => behindPromises(new SqliteStore(':memory:')),
  dispose: (store) => store.close(),
});
