import { describe, expect, it } from 'vitest';
import type { CreateJobRequest } from '@shoal/protocol';
import { normalizeSecureAggregation, roundThreshold, secureRoundRefusal, secureTaskBlock } from './secure-aggregation-config.js';
import { normalizeJobConfig } from './job-config.js';

const request = (overrides: Partial<CreateJobRequest> = {}): CreateJobRequest => ({
  name: 'secure', model: { preset: 'mnist-2nn' }, rounds: 1, minFitClients: 3, secureAggregation: {}, ...overrides,
});
const clientDp = { mode: 'client' as const, noiseMultiplier: 1, clipping: { clipNorm: 0.3 }, samplingRate: 1, accountant: { kind: 'rdp' as const, delta: 1e-5, populationSize: 10 } };

describe('secureAggregation job setting', () => {
  it('fills the defaults and replaces the upload codec with float32 deltas in the ring', () => {
    expect(normalizeSecureAggregation(request(), 3)).toEqual({ ringBits: 32, clipRange: 0.5, threshold: undefined, phaseTimeoutMs: 30_000 });
    const config = normalizeJobConfig(request());
    expect(config.uploadCodec).toEqual({ id: 'float32', params: {} });
    expect(config.errorFeedback).toBe(false);
    expect(normalizeJobConfig(request({ secureAggregation: undefined })).secureAggregation).toBeUndefined();
  });

  it('with client DP, sets R to C + 6 per-client noise deviations and refuses less', () => {
    const floor = 0.3 + (6 * 0.3) / Math.sqrt(3);
    expect(normalizeSecureAggregation(request({ privacy: clientDp }), 3)?.clipRange).toBeCloseTo(floor, 12);
    expect(() => normalizeSecureAggregation(request({ privacy: clientDp, secureAggregation: { clipRange: 0.5 } }), 3)).toThrow(/\/secureAggregation\/clipRange \(0.5\) must be at least clipNorm \+ 6 noise deviations/);
  });

  it('names the field it refuses', () => {
    const refusal = (overrides: Partial<CreateJobRequest>) => () => normalizeJobConfig(request(overrides));
    expect(refusal({ privacy: { ...clientDp, mode: 'central' } })).toThrow(/^\/privacy\/mode must be 'client' with secureAggregation/);
    expect(refusal({ minFitClients: 2 })).toThrow(/^\/minFitClients \(2\) must be at least 3 with secureAggregation/);
    expect(refusal({ uploadCodec: { id: 'int8' } })).toThrow(/^\/uploadCodec \('int8'\) cannot be used with secureAggregation/);
    expect(refusal({ errorFeedback: true })).toThrow(/^\/errorFeedback is not available with secureAggregation/);
    expect(() => normalizeJobConfig(request({ uploadCodec: { id: 'float32' } }))).not.toThrow();
  });

  it('fixes t per round from the n selected: n − ⌊n/3⌋ by default, never below a majority or minFitClients', () => {
    const config = { ringBits: 32 as const, clipRange: 0.5, threshold: undefined, phaseTimeoutMs: 1000 };
    expect([3, 4, 6, 9, 100].map((n) => roundThreshold(n, config, 3))).toEqual([3, 3, 4, 6, 67]);
    expect(roundThreshold(6, config, 5)).toBe(5);
    expect(roundThreshold(10, { ...config, threshold: 2 }, 3)).toBe(6);
    expect(roundThreshold(10, { ...config, threshold: 9 }, 3)).toBe(9);
  });

  it('builds the task block, and refuses rounds that cannot run securely', () => {
    const config = { ringBits: 16 as const, clipRange: 0.25, threshold: undefined, phaseTimeoutMs: 1000 };
    const block = secureTaskBlock(config, { jobId: 'job-1', round: 2, selected: 6, parameterCount: 10, minFitClients: 3, weightCap: 120 });
    expect(block).toMatchObject({ threshold: 4, ringBits: 16, clipRange: 0.25, maxClients: 6, length: 11, weightCap: 120, phaseTimeoutMs: 1000 });
    expect(block.context).toMatch(/^job-1\/2\/[0-9a-f]{16}$/);
    expect(secureRoundRefusal(block)).toBeUndefined();
    expect(secureRoundRefusal({ ...block, maxClients: 300 })).toMatch(/300 clients selected; a secure round takes at most 255/);
    expect(secureRoundRefusal({ ...block, threshold: 7 })).toBe('secure aggregation aborted: 6 clients selected, threshold 7');
  });
});
