/** Reads a paged list of the API (protocols/v1/rest.md, Paged lists) to its end by following `next`. */
import { api, type RequestOptions } from './api.js';

const PAGE_SIZE = 1000;

export async function allPages<T>(path: string, options: RequestOptions = {}): Promise<T[]> {
  const items: T[] = [];
  let after: number | string | undefined;
  do {
    const cursor = after === undefined ? '' : `&after=${encodeURIComponent(String(after))}`;
    const page = await api<{ items: T[]; next?: number | string }>(`${path}${path.includes('?') ? '&' : '?'}limit=${PAGE_SIZE}${cursor}`, options);
    items.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return items;
}
