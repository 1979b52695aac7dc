/** Any path the console does not know. */
import { h } from '../dom.js';
import type { Page, PageContext } from '../router.js';
import { emptyState, pageHeader } from '../ui.js';

export function notFoundPage(_context: PageContext): Page {
  const element = h(
    'section',
    {},
    pageHeader('Page not found'),
    emptyState(`There is no page at ${location.pathname}.`, h('p', {}, h('a', { href: '/fleet' }, 'Go to the fleet'), ' or ', h('a', { href: '/jobs' }, 'the jobs'), '.')),
  );
  return { title: 'Not found', element };
}
