/**
 * The Store contract: the behaviour every Store implementation must have, as vitest suites, each test on a fresh
 * empty store. Every call is awaited, so a store whose methods return promises runs the same suite as SqliteStore.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { adminContract } from './store-contract/admin-contract.js';
import { clientsContract } from './store-contract/clients-contract.js';
import type { ContractSection, ContractStore, StoreContractHarness } from './store-contract/contract-types.js';
import { contributionsContract } from './store-contract/contributions-contract.js';
import { jobsContract } from './store-contract/jobs-contract.js';
import { pagingContract } from './store-contract/paging-contract.js';
import { retentionContract } from './store-contract/retention-contract.js';
import { servingContract } from './store-contract/serving-contract.js';

export type { Awaitable, ContractStore, Eventually, StoreContractHarness } from './store-contract/contract-types.js';

const SECTIONS: readonly ContractSection[] = [jobsContract, contributionsContract, pagingContract, clientsContract, adminContract, servingContract, retentionContract];

/** Registers the contract as `describe('Store contract: <name>')`, opening a store before each test and disposing of it after. */
export function storeContract<S extends ContractStore>(name: string, harness: StoreContractHarness<S>): void {
  describe(`Store contract: ${name}`, () => {
    let store: S | undefined;
    beforeEach(async () => {
      store = await harness.open();
    });
    afterEach(async () => {
      const opened = store;
      store = undefined;
      if (opened !== undefined) await harness.dispose(opened);
    });
    const current = (): ContractStore => {
      if (store === undefined) throw new Error('the store contract used its store outside a test');
      return store;
    };
    for (const section of SECTIONS) section(current);
  });
}
