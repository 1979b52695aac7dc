/** Coordinator options: the cluster's requirements are refused clearly, naming the option. */
import { describe, expect, it } from 'vitest';
import { resolveSettings } from './options.js';

const refusal = (partial: Parameters<typeof resolveSettings>[0]) => {
  try {
    resolveSettings(partial);
    return undefined;
  } catch (error) {
    return error as { code: string; message: string; details?: { option?: string } };
  }
};

describe('cluster options', () => {
  it('runs one node on SQLite by default, and a cluster node only on PostgreSQL', () => {
    expect(resolveSettings({})).toMatchObject({ redisUrl: undefined, databaseUrl: undefined, leaseTtlMs: 10_000 });
    expect(refusal({ redisUrl: 'redis://127.0.0.1:6379' })).toMatchObject({ code: 'VALIDATION_FAILED', details: { option: 'redisUrl' }, message: expect.stringMatching(/databaseUrl.*SQLite is for one node/) });
    expect(resolveSettings({ redisUrl: 'redis://127.0.0.1:6379', databaseUrl: 'postgres://shoal@127.0.0.1/shoal', nodeId: 'node-1' })).toMatchObject({ nodeId: 'node-1' });
  });

  it('refuses a malformed Redis URL, node id or lease lifetime', () => {
    const db = { databaseUrl: 'postgres://shoal@127.0.0.1/shoal' };
    expect(refusal({ ...db, redisUrl: 'http://127.0.0.1:6379' })?.details?.option).toBe('redisUrl');
    expect(refusal({ ...db, redisUrl: 'redis://x', nodeId: 'node 1; drop' })?.details?.option).toBe('nodeId');
    expect(refusal({ ...db, redisUrl: 'redis://x', leaseTtlMs: 100 })?.details?.option).toBe('leaseTtlMs');
    expect(refusal({ leaseTtlMs: Number.NaN })?.details?.option).toBe('leaseTtlMs');
  });
});
