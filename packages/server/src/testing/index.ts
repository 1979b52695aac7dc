/** @shoal/server/testing: helpers for tests of the server and of what plugs into it. */
export { storeContract } from './store-contract.js';
export type { Awaitable, ContractStore, Eventually, StoreContractHarness } from './store-contract.js';
