/**
 * Pages of the lists that grow with a job's history (rounds, model versions, a round's contributions): at most
 * `limit` items after the `after` cursor, in key order, with `total` and the `next` cursor (rest.md, Paged lists).
 */
import type { Request } from 'express';
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

/** The page of `items` (sorted ascending by `key`) that follows `after`. */
export function pageAfter<T, K extends number | string>(items: readonly T[], key: (item: T) => K, page: { limit: number; after: K | undefined }): ListPage<T, K> {
  const { after, limit } = page;
  const start = after === undefined ? 0 : firstAfter(items, key, after);
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: slice, total: items.length, limit, ...(more ? { next: key(slice[slice.length - 1]!) } : {}) };
}

/** Binary search: the index of the first item whose key is above `after`. */
function firstAfter<T, K extends number | string>(items: readonly T[], key: (item: T) => K, after: K): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(items[middle]!) <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}
