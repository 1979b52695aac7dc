/** What the store contract drives: a Store whose methods may return promises, opened fresh for every test. */
import type { Store } from '../../store/store.js';

export type Awaitable<T> = T | Promise<T>;

/** `T` with every method allowed to return a promise, sub-objects included: a synchronous Store is one, so is an asynchronous one. */
export type Eventually<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Awaitable<R> : T[K] extends object ? Eventually<T[K]> : T[K];
};

export type ContractStore = Eventually<Store>;

export interface StoreContractHarness<S extends ContractStore = ContractStore> {
  /** Opens a fresh, empty store. */
  open(): Awaitable<S>;
  /** Closes the store and removes what it left behind (files, schemas). */
  dispose(store: S): Awaitable<void>;
}

/** One port's part of the contract: registers its `describe` block; `store()` is the store of the running test. */
export type ContractSection = (store: () => ContractStore) => void;
