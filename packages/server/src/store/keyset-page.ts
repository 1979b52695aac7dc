/**
 * The one shape of a keyset page, for every engine: the query asks for `limit + 1` rows after the cursor, and the row
 * beyond the page only says that more follow, so no second look ahead is needed.
 */
import type { Row } from './row-values.js';
import type { StorePage } from './store.js';

/** How many rows a page query should read for a page of `limit`. */
export function rowsToRead(limit: number): number {
  return limit + 1;
}

/** The page of `rows` (read with rowsToRead(limit), in key order), mapped, with the list's `total`. */
export function storePage<T>(rows: readonly Row[], limit: number, total: number, map: (row: Row) => T): StorePage<T> {
  return { items: rows.slice(0, limit).map(map), more: rows.length > limit, total };
}
