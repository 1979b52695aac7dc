/** History-API routing: a table of path patterns to pages, link interception, and focus moved to each new page. */
import type { LiveConnection } from './live/connection.js';

export interface PageContext {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  live: LiveConnection;
  navigate(path: string, options?: { replace?: boolean }): void;
}

export interface Page {
  title: string;
  element: HTMLElement;
  /** Unsubscribes live events and stops timers when the page is left. */
  dispose?(): void;
}

export interface Route {
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  keys?: readonly string[];
  page(context: PageContext): Page;
}

export function matchRoute(routes: readonly Route[], path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const params: Record<string, string> = {};
    (route.keys ?? []).forEach((key, index) => {
      const value = match[index + 1];
      if (value !== undefined) params[key] = decodeURIComponent(value);
    });
    return { route, params };
  }
  return undefined;
}

/** Same-origin links without a target or download attribute navigate inside the app. */
export function interceptLinks(root: HTMLElement, navigate: (path: string) => void): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (anchor === null || anchor === undefined || anchor.target !== '' || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash !== '') return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
