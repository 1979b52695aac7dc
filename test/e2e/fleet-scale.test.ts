/**
 * The fleet view with 10,000 registered clients (half of them connected): the coordinator pages, searches, filters and
 * sorts in SQLite, so each answer stays small whatever the fleet's size, and the page asks for one page of rows at a
 * time. How fast that is belongs to a benchmark (`npm run bench:fleet-view`), not to a test; times are only printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Coordinator } from '@shoal/server';
import type { ClientView } from '@shoal/protocol';
import { launchBrowser, screenshot, type Browser } from './browser.js';

const CLIENTS = 10_000;
const ADMIN_TOKEN = 'fleet-scale-admin-token';
const CONSOLE_DIR = fileURLToPath(new URL('../../apps/console/dist/', import.meta.url));
const name = (i: number) => `client-${String(i).padStart(5, '0')}`;

interface ClientPage {
  items: ClientView[];
  total: number;
  online: number;
  registered: number;
}

describe('fleet view with 10,000 clients', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-fleet-'));
  let coordinator: Coordinator;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    coordinator = new Coordinator({ port: 0, dataDir, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: ADMIN_TOKEN, consoleDir: CONSOLE_DIR });
    url = (await coordinator.start()).url;
    const capabilities = (i: number) => ({ platform: i % 3 === 0 ? 'android-arm64' : 'linux-x64', backend: i % 2 === 0 ? 'wasm' : 'cpu', agentVersion: '0.1.0', numTrainExamples: 100, numEvalExamples: 0 });
    for (let i = 0; i < CLIENTS; i++) coordinator.store.upsertClient({ id: `c-${String(i).padStart(5, '0')}`, name: name(i), capabilities: capabilities(i), firstSeenAt: 1, lastSeenAt: 1 + i });
    for (let i = 0; i < CLIENTS; i += 2) {
      coordinator.registry.register({ id: `c-${String(i).padStart(5, '0')}`, name: name(i), capabilities: capabilities(i), connection: { send: () => undefined, disconnect: () => undefined }, connectedAt: 1, lastSeenAt: 1 });
    }
    // A job that waits for more clients than exist, and one round's contributions from the first 2,000 clients.
    const job = await coordinator.jobs.create({ name: 'scale', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 50_000 });
    const selected = Array.from({ length: 2000 }, (_, i) => `c-${String(i).padStart(5, '0')}`);
    coordinator.store.startRound({ jobId: job.id, round: 1, status: 'running', statusReason: undefined, startedAt: 1, endedAt: undefined, deadlineAt: 2, selected: selected.length, reported: 0, failed: 0, modelVersion: undefined, metrics: {} }, selected);
    for (const id of selected.slice(0, 1000)) coordinator.store.updateContribution(job.id, 1, id, { status: 'accepted', numExamples: 100, bytesUp: 10 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await coordinator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a page, a search, a filter and a sort with one small page each', async () => {
    const timed = async (query: string) => {
      const started = performance.now();
      const response = await fetch(`${url}/api/v1/clients?${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const page = (await response.json()) as ClientPage;
      return { page, ms: performance.now() - started, bytes: Number(response.headers.get('content-length')) };
    };
    const queries = ['limit=50', 'limit=50&sort=-status&offset=5000', 'limit=50&q=09999', 'limit=50&status=offline&sort=-lastSeen', 'limit=50&sort=-contributions', 'limit=1000&sort=name'];
    const results = [];
    for (const query of queries) results.push({ query, ...(await timed(query)) });
    console.log(results.map((r) => `GET /clients?${r.query}: ${r.ms.toFixed(1)} ms, ${r.bytes} bytes`).join('\n'));
    // A page of 50 is a few hundred bytes per client, never the fleet: 10,000 clients would be megabytes.
    for (const result of results.slice(0, 5)) expect(result.bytes).toBeLessThan(50 * 1024);
    expect(results[5]!.page.items).toHaveLength(1000);

    const [first, paged, search, offline, busiest] = results.map((r) => r.page);
    expect(first).toMatchObject({ total: CLIENTS, registered: CLIENTS, online: CLIENTS / 2 });
    expect(first!.items).toHaveLength(50);
    expect(paged!.items[0]!.status).toBe('offline');
    expect(search!.items.map((c) => c.name)).toEqual([name(9999)]);
    expect(offline!.total).toBe(CLIENTS / 2);
    expect(offline!.items[0]!.name).toBe(name(9999));
    expect(busiest!.items[0]!.contributions).toBe(1);
    expect(busiest!.items[0]!.recentContributions?.[0]).toMatchObject({ round: 1, status: 'accepted' });
  });

  it('renders the fleet page, pages through it and searches it', async () => {
    const { page } = browser;
    expect((await page.request.post(`${url}/api/v1/session`, { data: { token: ADMIN_TOKEN } })).status()).toBe(201);
    const asked: URL[] = [];
    page.on('request', (request) => {
      const requested = new URL(request.url());
      if (requested.pathname === '/api/v1/clients') asked.push(requested);
    });
    const started = Date.now();
    await page.goto(`${url}/fleet`);
    await page.locator('[data-testid=fleet-table] tbody tr').nth(49).waitFor();
    console.log(`fleet page with ${CLIENTS} clients: first 50 rows after ${Date.now() - started} ms`);
    expect(await page.locator('[data-testid=fleet-registered]').textContent()).toBe('10,000');
    expect(await page.locator('[data-testid=fleet-online]').textContent()).toBe('5,000');
    expect(await page.locator('[data-testid=fleet-table] tbody tr').count()).toBe(50);

    await page.getByRole('button', { name: 'Next →' }).click();
    await page.locator('.pager-summary', { hasText: 'Showing 51–100 of 10,000' }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('offline');
    await page.locator('.pager-summary', { hasText: 'of 5,000' }).waitFor();
    await page.getByLabel('Search clients').fill('client-0999');
    await page.locator('.pager-summary', { hasText: 'Showing 1–5 of 5' }).waitFor();
    await page.getByLabel('Search clients').fill('');
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Sort by', { exact: true }).selectOption('-contributions');
    await page.locator('.pager-summary', { hasText: 'of 10,000' }).waitFor();
    expect(await page.locator('[data-testid=fleet-table] tbody tr').first().locator('.chip').first().textContent()).toBe('r1 accepted');
    // Every list request the page made asked for one page, never for the whole fleet.
    expect(asked.length).toBeGreaterThan(0);
    for (const requested of asked) expect(Number(requested.searchParams.get('limit'))).toBeLessThanOrEqual(100);
    await screenshot(page, '15-fleet-10000-clients');
  });
});
