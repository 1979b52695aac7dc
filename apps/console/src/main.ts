/** Entry point of the console: check the session, then render the shell and the page for the URL. */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { MessageOf } from '@shoal/protocol';
import { api, ApiError, onUnauthenticated } from './api.js';
import { replaceChildren } from './dom.js';
import { createShell, type Shell } from './layout.js';
import { LiveConnection } from './live/connection.js';
import { interceptLinks, matchRoute, type Page, type Route } from './router.js';
import { errorState } from './ui.js';
import { loginPage } from './pages/login.js';
import { fleetPage } from './pages/fleet.js';
import { jobsPage } from './pages/jobs.js';
import { newJobPage } from './pages/new-job.js';
import { jobPage } from './pages/job.js';
import { modelsPage } from './pages/models.js';
import { deploymentsPage } from './pages/deployments.js';
import { deploymentPage } from './pages/deployment.js';
import { auditPage } from './pages/audit.js';
import { notFoundPage } from './pages/not-found.js';

const ROUTES: readonly Route[] = [
  { pattern: /^\/(?:fleet)?$/, page: fleetPage },
  { pattern: /^\/jobs$/, page: jobsPage },
  { pattern: /^\/jobs\/new$/, page: newJobPage },
  { pattern: /^\/jobs\/([^/]+)$/, keys: ['jobId'], page: jobPage },
  { pattern: /^\/models$/, page: modelsPage },
  { pattern: /^\/deployments$/, page: deploymentsPage },
  { pattern: /^\/deployments\/([^/]+)$/, keys: ['id'], page: deploymentPage },
  { pattern: /^\/audit$/, page: auditPage },
];

class ConsoleApp {
  private readonly live = new LiveConnection(() => this.sessionEnded());
  private shell: Shell | undefined;
  private page: Page | undefined;

  constructor(private readonly root: HTMLElement) {
    interceptLinks(root, (path) => this.navigate(path));
    window.addEventListener('popstate', () => void this.route());
    onUnauthenticated(() => this.sessionEnded());
  }

  async route(): Promise<void> {
    if (location.pathname === '/login') return this.showLogin(undefined);
    if (this.shell === undefined) {
      try {
        await api<MessageOf<'session'>>('/session', { expectUnauthenticated: true });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return this.showLogin(undefined);
        replaceChildren(this.root, errorState(error, () => void this.route()));
        return;
      }
      this.shell = createShell(this.live, () => void this.signOut());
      replaceChildren(this.root, this.shell.root);
      this.live.connect();
    }
    this.renderPage(this.shell);
  }

  navigate(path: string, options: { replace?: boolean } = {}): void {
    if (options.replace === true) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    void this.route();
  }

  private renderPage(shell: Shell): void {
    this.page?.dispose?.();
    const matched = matchRoute(ROUTES, location.pathname);
    const context = { params: matched?.params ?? {}, query: new URLSearchParams(location.search), live: this.live, navigate: (path: string, options?: { replace?: boolean }) => this.navigate(path, options) };
    const page = matched === undefined ? notFoundPage(context) : matched.route.page(context);
    this.page = page;
    shell.setActive(location.pathname);
    replaceChildren(shell.main, page.element);
    document.title = `${page.title} · Shoal console`;
    // Move focus to the new page's heading so keyboard and screen-reader users start there.
    (shell.main.querySelector('h1') ?? shell.main).focus({ preventScroll: false });
  }

  private showLogin(reason: 'expired' | undefined): void {
    this.page?.dispose?.();
    this.page = undefined;
    this.shell = undefined;
    const next = location.pathname === '/login' ? (new URLSearchParams(location.search).get('next') ?? '/fleet') : location.pathname + location.search;
    if (location.pathname !== '/login') history.replaceState(null, '', `/login?next=${encodeURIComponent(next)}`);
    const page = loginPage({ reason, onLoggedIn: () => this.navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/fleet', { replace: true }) });
    replaceChildren(this.root, page.element);
    document.title = `${page.title} · Shoal console`;
    page.element.querySelector('input')?.focus();
  }

  private sessionEnded(): void {
    if (this.shell === undefined) return;
    this.live.disconnect();
    this.showLogin('expired');
  }

  private async signOut(): Promise<void> {
    try {
      await api('/session', { method: 'DELETE' });
    } finally {
      this.live.disconnect();
      history.replaceState(null, '', '/login');
      this.showLogin(undefined);
    }
  }
}

const root = document.getElementById('app');
if (root !== null) void new ConsoleApp(root).route();
