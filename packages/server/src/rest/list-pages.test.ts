/** Paged lists that grow with a job's history (rounds, model versions, a round's contributions), on a real coordinator. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseMessage, type JobView } from '@shoal/protocol';
import { Coordinator } from '../coordinator.js';
import { LIST_PAGE_DEFAULT, listPage } from './list-page.js';

const TOKEN = 'list-pages-test-token';
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-pages-'));
const ROUNDS = 250;
const CLIENTS = 130;
let coordinator: Coordinator;
let url: string;
let jobId: string;

async function get(path: string) {
  const response = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  coordinator = new Coordinator({ port: 0, dataDir, logger: pino({ level: 'silent' }), centralEvaluation: false, adminToken: TOKEN });
  url = (await coordinator.start()).url;
  const created = await fetch(`${url}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'history', model: { preset: 'mnist-2nn' }, rounds: ROUNDS, minFitClients: 1000 }),
  });
  jobId = ((await created.json()) as JobView).id;
  await fetch(`${url}/api/v1/jobs/${jobId}/stop`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  // A long history written straight to the store: every round closed with a new version, round 1 with many clients.
  const store = coordinator.store;
  const weights = store.getVersionWeights(jobId, 0)!;
  const clients = Array.from({ length: CLIENTS }, (_, i) => `c-${String(i).padStart(3, '0')}`);
  for (let round = 1; round <= ROUNDS; round++) {
    store.startRound({ jobId, round, status: 'running', statusReason: undefined, startedAt: round, endedAt: undefined, deadlineAt: undefined, selected: 0, reported: 0, failed: 0, modelVersion: undefined, metrics: {} as never }, round === 1 ? clients : []);
    store.finishRound({ jobId, round, status: 'completed', statusReason: undefined, endedAt: round, reported: 0, failed: 0, metrics: {} as never }, { version: round, round, parentVersion: round - 1, createdAt: round, weights });
  }
});

afterAll(async () => {
  await coordinator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Follows `next` from the first page to the last, checking each page's shape. */
async function readAll(path: string, limit: number) {
  const pages: Record<string, any>[] = [];
  let after: string | undefined;
  do {
    const page = await get(`${path}?limit=${limit}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`);
    expect(page.status).toBe(200);
    pages.push(page.body);
    after = page.body['next'] === undefined ? undefined : String(page.body['next']);
  } while (after !== undefined && pages.length < 1000);
  return pages;
}

describe('paged lists', () => {
  it('pages rounds: a default first page, the next cursor, and a last page without next', async () => {
    const first = await get(`/jobs/${jobId}/rounds`);
    expect(first.body).toMatchObject({ total: ROUNDS, limit: LIST_PAGE_DEFAULT, next: LIST_PAGE_DEFAULT });
    expect(first.body['items'].map((round: { round: number }) => round.round)).toEqual(Array.from({ length: LIST_PAGE_DEFAULT }, (_, i) => i + 1));
    parseMessage('round-page', first.body);

    const pages = await readAll(`/jobs/${jobId}/rounds`, 60);
    expect(pages.map((page) => page.items.length)).toEqual([60, 60, 60, 60, 10]);
    expect(pages.at(-1)).not.toHaveProperty('next');
    expect(pages.flatMap((page) => page.items.map((round: { round: number }) => round.round))).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
    expect((await get(`/jobs/${jobId}/rounds?after=${ROUNDS}`)).body).toEqual({ items: [], total: ROUNDS, limit: LIST_PAGE_DEFAULT });
  });

  it('pages model versions and a round\'s contributions by their keys', async () => {
    const versions = await readAll(`/jobs/${jobId}/models`, 100);
    const stored = coordinator.store.listVersions(jobId).map((version) => version.version);
    expect(versions.flatMap((page) => page.items.map((version: { version: number }) => version.version))).toEqual(stored);
    for (const page of versions) parseMessage('model-version-page', page);

    const contributions = await readAll(`/jobs/${jobId}/rounds/1/contributions`, 50);
    expect(contributions.map((page) => [page.items.length, page.next])).toEqual([[50, 'c-049'], [50, 'c-099'], [30, undefined]]);
    for (const page of contributions) parseMessage('contribution-page', page);
    expect((await get(`/jobs/${jobId}/rounds/1/contributions?after=c-0995&limit=2`)).body['items'].map((c: { clientId: string }) => c.clientId)).toEqual(['c-100', 'c-101']);
  });

  it('answers a bad paging parameter with 400 naming it', async () => {
    for (const bad of ['limit=0', 'limit=1001', 'limit=ten', 'after=-1', 'after=1.5', 'after=1&after=2']) {
      const reply = await get(`/jobs/${jobId}/rounds?${bad}`);
      expect([reply.status, reply.body['error'].code], bad).toEqual([400, 'BAD_REQUEST']);
      expect(reply.body['error'].message).toContain(bad.split('=')[0]);
    }
    expect((await get(`/jobs/${jobId}/models?after=x`)).status).toBe(400);
    expect((await get(`/jobs/${jobId}/rounds/1/contributions?after=${'x'.repeat(65)}`)).body['error'].code).toBe('BAD_REQUEST');
  });
});

// Where a page starts (also after a cursor that is not in the list) is the store's: the contract's keyset pages.
describe('listPage', () => {
  it('names the last key as next only when the store says more follow', () => {
    const same = (n: number) => n;
    expect(listPage({ items: [3, 5], more: true, total: 4 }, 2, same, same)).toEqual({ items: [3, 5], total: 4, limit: 2, next: 5 });
    expect(listPage({ items: [7], more: false, total: 4 }, 2, same, same)).toEqual({ items: [7], total: 4, limit: 2 });
    expect(listPage({ items: [], more: false, total: 0 }, 2, same, same)).toEqual({ items: [], total: 0, limit: 2 });
  });
});
