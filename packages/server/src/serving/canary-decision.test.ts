import { describe, expect, it } from 'vitest';
import type { CanaryPolicy } from '@shoal/protocol';
import { decideCanary, type CanaryEvidence } from './canary-decision.js';
import type { TelemetryWindow } from './deployment.js';
import { rollUpTelemetry } from './telemetry-rollup.js';

const window = (p99: number, patch: Partial<TelemetryWindow> = {}): TelemetryWindow => ({
  deploymentId: 'dep-1', clientId: 'c-1', windowStartMs: 0, windowEndMs: 1000, receivedAt: 1000, requests: 100, errors: 0,
  latencyMs: { p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2 }, classCounts: [50, 50], inputHistogram: new Array(16).fill(1),
  inputMean: 0.5, inputStd: 0.1, labelledCount: 0, labelledCorrect: 0, ...patch,
});
const policy: CanaryPolicy = { percent: 20, minReports: 3, observeMs: 60_000 };
const evidence = (canary: TelemetryWindow[], patch: Partial<CanaryEvidence> = {}): CanaryEvidence => ({
  startedAt: 0, now: 10_000, canary: rollUpTelemetry(canary), baseline: undefined, baselineCentralAccuracy: undefined, ...patch,
});

describe('decideCanary', () => {
  it('waits for minReports windows with requests, whatever they show', () => {
    const slow = [window(900), window(900), window(900, { requests: 0 })];
    expect(decideCanary({ ...policy, maxP99Ms: 100 }, evidence(slow))).toMatchObject({ action: 'wait', reason: '2 of 3 canary reports' });
  });

  it('rolls back on p99 above the absolute threshold', () => {
    const decision = decideCanary({ ...policy, maxP99Ms: 100 }, evidence([window(20), window(20), window(500)]));
    expect(decision.action).toBe('rollback');
    expect(decision.reason).toMatch(/p99 latency 180\.0 ms is above maxP99Ms 100\.0 ms/);
  });

  it('rolls back on p99 above a ratio of the baseline\'s, and only with a baseline', () => {
    const canary = [window(30), window(30), window(30)];
    const ratioPolicy = { ...policy, maxP99Ratio: 1.5 };
    expect(decideCanary(ratioPolicy, evidence(canary, { baseline: rollUpTelemetry([window(10)]) }))).toMatchObject({ action: 'rollback' });
    expect(decideCanary(ratioPolicy, evidence(canary, { baseline: rollUpTelemetry([window(25)]) }))).toMatchObject({ action: 'wait' });
    expect(decideCanary(ratioPolicy, evidence(canary))).toMatchObject({ action: 'wait' });
  });

  it('rolls back on labelled accuracy below minAccuracy or dropping more than allowed', () => {
    const labelled = [window(10, { labelledCount: 100, labelledCorrect: 80 }), window(10), window(10)];
    expect(decideCanary({ ...policy, minAccuracy: 0.9 }, evidence(labelled)).reason).toMatch(/accuracy 80\.0% is below minAccuracy 90\.0%/);
    expect(decideCanary({ ...policy, minAccuracy: 0.75 }, evidence(labelled)).action).toBe('wait');
    const baseline = rollUpTelemetry([window(10, { labelledCount: 10, labelledCorrect: 9 })]);
    expect(decideCanary({ ...policy, maxAccuracyDrop: 0.05 }, evidence(labelled, { baseline })).action).toBe('rollback');
    expect(decideCanary({ ...policy, maxAccuracyDrop: 0.05 }, evidence(labelled, { baselineCentralAccuracy: 0.82 })).action).toBe('wait');
  });

  it('promotes once the observation time passed with enough reports and no regression', () => {
    const healthy = [window(20), window(20), window(20)];
    expect(decideCanary({ ...policy, maxP99Ms: 100 }, evidence(healthy, { now: 59_999 })).action).toBe('wait');
    const decision = decideCanary({ ...policy, maxP99Ms: 100 }, evidence(healthy, { now: 60_000 }));
    expect(decision).toMatchObject({ action: 'promote' });
    expect(decision.reason).toMatch(/3 reports over 60 s without regression/);
  });
});

describe('rollUpTelemetry', () => {
  it('sums counts, weights percentiles by requests and keeps the largest max', () => {
    const summary = rollUpTelemetry([window(10, { requests: 300, labelledCount: 4, labelledCorrect: 3 }), window(50, { requests: 100, clientId: 'c-2' }), window(999, { requests: 0 })]);
    expect(summary).toMatchObject({ windows: 3, reports: 2, clients: 2, requests: 400, labelled: 4, accuracy: 0.75 });
    expect(summary.latencyMs?.p99).toBeCloseTo((10 * 300 + 50 * 100) / 400);
    expect(summary.latencyMs?.max).toBe(100);
  });
});
