import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LAST_SEEN_WRITE_INTERVAL_MS, LastSeenBuffer } from './last-seen-buffer.js';
import { SqliteStore } from './sqlite-store.js';

const capabilities = { platform: 'linux', backend: 'cpu', agentVersion: '1', numTrainExamples: 1, numEvalExamples: 0 };

describe('LastSeenBuffer', () => {
  afterEach(() => vi.useRealTimers());

  it('writes 10,000 touches as one batch after the interval, the newest per client', () => {
    vi.useFakeTimers();
    const batches: Map<string, number>[] = [];
    const buffer = new LastSeenBuffer((seen) => void batches.push(new Map(seen)));
    for (let i = 0; i < 10_000; i++) buffer.touch(`c${i}`, 1_000);
    buffer.touch('c0', 2_000);
    vi.advanceTimersByTime(LAST_SEEN_WRITE_INTERVAL_MS - 1);
    expect(batches).toHaveLength(0);
    expect(buffer.pendingAt('c0')).toBe(2_000);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.size).toBe(10_000);
    expect(batches[0]!.get('c0')).toBe(2_000);
    expect(buffer.size).toBe(0);
  });

  it('keeps a failed batch pending without overwriting newer touches', () => {
    let fail = true;
    const written: Map<string, number>[] = [];
    const buffer = new LastSeenBuffer((seen) => {
      if (fail) throw new Error('disk full');
      written.push(new Map(seen));
    });
    buffer.touch('c1', 1);
    buffer.touch('c2', 1);
    expect(() => buffer.flush()).toThrow('disk full');
    buffer.touch('c1', 5);
    fail = false;
    buffer.flush();
    expect(written).toEqual([new Map([['c1', 5], ['c2', 1]])]);
    buffer.stop();
  });
});

describe('SqliteStore last-seen batching', () => {
  it('leaves the clients table alone until the batch is written, then writes every touch; close writes what is pending', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-touch-'));
    const path = join(dir, 'shoal.sqlite');
    try {
      const store = new SqliteStore(path);
      for (let i = 0; i < 500; i++) store.upsertClient({ id: `c${i}`, name: `c${i}`, capabilities, firstSeenAt: 1, lastSeenAt: 1 });
      const reader = new Database(path, { readonly: true });
      const seenAt = (id: string): number => (reader.prepare('SELECT last_seen_at AS at FROM clients WHERE id = ?').get(id) as { at: number }).at;
      for (let i = 0; i < 500; i++) store.touchClient(`c${i}`, 900);
      expect(seenAt('c7')).toBe(1);
      expect(store.getClient('c7')?.lastSeenAt).toBe(900);
      expect(seenAt('c7')).toBe(1);
      store.listClients();
      expect(seenAt('c7')).toBe(900);
      store.touchClient('c8', 950);
      store.close();
      expect(seenAt('c8')).toBe(950);
      reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
