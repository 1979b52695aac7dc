/** The page shell: banner with navigation, the live-connection indicator, sign-out, and the main region pages render into. */
import { h } from './dom.js';
import type { ConnectionState, LiveConnection } from './live/connection.js';

const NAV = [
  { href: '/fleet', label: 'Fleet' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/jobs/new', label: 'New job' },
  { href: '/models', label: 'Models' },
  { href: '/deployments', label: 'Deployments' },
  { href: '/audit', label: 'Audit log' },
];

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  'signed-out': 'Signed out',
};

export interface Shell {
  root: HTMLElement;
  main: HTMLElement;
  setActive(path: string): void;
}

export function createShell(live: LiveConnection, signOut: () => void): Shell {
  const links = NAV.map((item) => h('a', { href: item.href, class: 'nav-link' }, item.label));
  const status = h('span', { class: 'connection', role: 'status', 'aria-live': 'polite', 'data-testid': 'connection' });
  live.onState((state) => {
    status.textContent = STATE_TEXT[state];
    status.dataset['state'] = state;
  });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const offline = h('div', { class: 'offline-banner', role: 'alert', hidden: true }, 'The connection to the coordinator was lost. Reconnecting… the figures below may be out of date until it is back.');
  live.onState((state) => (offline.hidden = state !== 'reconnecting'));
  const root = h(
    'div',
    { class: 'shell' },
    h(
      'header',
      { class: 'banner' },
      h('a', { href: '/fleet', class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'), 'Shoal'),
      h('nav', { 'aria-label': 'Main' }, h('ul', {}, ...links.map((link) => h('li', {}, link)))),
      h('div', { class: 'banner-end' }, status, h('button', { type: 'button', class: 'button quiet', onclick: signOut }, 'Sign out')),
    ),
    offline,
    main,
  );
  return {
    root,
    main,
    setActive(path) {
      const active = [...NAV].sort((a, b) => b.href.length - a.href.length).find((item) => path === item.href || path.startsWith(`${item.href}/`));
      links.forEach((link, index) => {
        if (NAV[index] === active) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      });
    },
  };
}
