/**
 * Pages of the lists that grow with a job's history (rounds, model versions, a round's contributions): at most
 * `limit` items after the `after` cursor, in key order, with `total` and the `next` cursor (rest.md, Paged lists).
 * The store reads the page with a keyset query (KeysetPage); this module parses the query and shapes the reply.
 */
import type { Request } from 'express';
import type { StorePage } from '../store/store.js';
import { queryInteger, queryString } from './query-params.js';

export const LIST_PAGE_DEFAULT = 100;
export const LIST_PAGE_MAX = 1000;

export interface ListPage<T, K> {
  items: T[];
  total: number;
  limit: number;
  next?: K;
}

/** `limit` and a numeric `after` (a round or version number); a bad value is BAD_REQUEST naming it. */
export function numberedPageQuery(request: Request): { limit: number; after: number | undefined } {
  const limit = queryInteger(request, 'limit', { default: LIST_PAGE_DEFAULT, min: 1, max: LIST_PAGE_MAX });
  const after = queryInteger(request, 'after', { default: -1, min: 0, max: Number.MAX_SAFE_INTEGER });
  return { limit, after: after < 0 ? undefined : after };
}

/** `limit` and an id `after` (a client id). */
export function idPageQuery(request: Request): { limit: number; after: string | undefined } {
  return { limit: queryInteger(request, 'limit', { default: LIST_PAGE_DEFAULT, min: 1, max: LIST_PAGE_MAX }), after: queryString(request, 'after', 64) };
}

/** The REST page of a store's keyset page, its items as views: `next` is the last item's key when more follow. */
export function listPage<T, V, K>(page: StorePage<T>, limit: number, key: (item: T) => K, view: (item: T) => V): ListPage<V, K> {
  const last = page.items.at(-1);
  return { items: page.items.map(view), total: page.total, limit, ...(page.more && last !== undefined ? { next: key(last) } : {}) };
}
