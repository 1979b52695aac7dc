import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeJobConfig } from '../jobs/job-config.js';
import { SqliteStore } from './sqlite-store.js';

describe('SqliteStore version retention on a file', () => {
  it('creates new databases with incremental auto-vacuum and gives pruned weights back to the file system', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-retention-'));
    const path = join(dir, 'shoal.sqlite');
    try {
      const store = new SqliteStore(path);
      const config = normalizeJobConfig({ name: 'j', model: { preset: 'mnist-2nn' }, rounds: 40 });
      expect(config.retention).toEqual({ keepLast: 10, keepEvery: 100 });
      const weights = (seed: number): Uint8Array => new Uint8Array(1_000_000).fill(seed);
      store.insertJob(
        { id: 'j', name: 'j', status: 'running', statusReason: undefined, config, topology: {}, tensorSpecs: [], createdAt: 1, updatedAt: 1, currentRound: 0, latestVersion: 0, bytesUp: 0, bytesDown: 0 },
        { version: 0, round: undefined, parentVersion: undefined, createdAt: 1, weights: weights(0) },
      );
      const checkpointed = (): number => {
        store['db'].pragma('wal_checkpoint(TRUNCATE)');
        return statSync(path).size;
      };
      for (let round = 1; round <= 40; round++) {
        store.startRound({ jobId: 'j', round, status: 'running', statusReason: undefined, startedAt: round, endedAt: undefined, deadlineAt: undefined, selected: 0, reported: 0, failed: 0, modelVersion: undefined, metrics: {} }, []);
        store.finishRound({ jobId: 'j', round, status: 'completed', statusReason: undefined, endedAt: round, reported: 0, failed: 0, metrics: {} }, { version: round, round, parentVersion: round - 1, createdAt: round, weights: weights(round) });
      }
      const before = checkpointed();
      expect(store.pruneVersions('j', config.retention, [], 100)).toHaveLength(30);
      const after = checkpointed();
      expect(store['db'].pragma('auto_vacuum', { simple: true })).toBe(2);
      expect(after).toBeLessThan(before * 0.6);
      expect(store.listVersions('j')).toHaveLength(41);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
