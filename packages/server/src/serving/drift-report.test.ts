import { describe, expect, it } from 'vitest';
import { DEFAULT_PSI_THRESHOLD } from '@shoal/edge';
import type { ReferenceProfile, TelemetryWindow } from './deployment.js';
import { driftReport } from './drift-report.js';

const reference: ReferenceProfile = { examples: 1000, inputHistogram: [800, ...new Array(14).fill(5), 130], classCounts: [100, 100, 100, 100] };
const window = (clientId: string, inputHistogram: number[], classCounts = [25, 25, 25, 25]): TelemetryWindow => ({
  deploymentId: 'dep-1', clientId, windowStartMs: 0, windowEndMs: 1, receivedAt: 1, requests: 100, errors: 0, latencyMs: { p50: 1, p95: 1, p99: 1, max: 1 },
  classCounts, inputHistogram, inputMean: 0.2, inputStd: 0.3, labelledCount: 0, labelledCorrect: 0,
});

describe('driftReport', () => {
  it('flags a client whose inputs are inverted, not the ones that look like the reference', () => {
    const inverted = [...reference.inputHistogram].reverse();
    const windows = [window('normal-1', reference.inputHistogram), window('normal-2', reference.inputHistogram), window('normal-1', reference.inputHistogram), window('inverted', inverted)];
    const report = driftReport(reference, windows, DEFAULT_PSI_THRESHOLD);
    expect(report.clients.map((client) => [client.clientId, client.flagged, client.windows])).toEqual([
      ['inverted', true, 1],
      ['normal-1', false, 2],
      ['normal-2', false, 1],
    ]);
    expect(report.clients[1]!.inputPsi).toBeCloseTo(0, 6);
    expect(report.clients[0]!.inputPsi!).toBeGreaterThan(1);
    expect(report.cohort).toMatchObject({ clients: 3, flaggedClients: 1 });
  });

  it('flags a shifted class distribution, and a cohort when the shift is big enough in the sum', () => {
    const skewed = driftReport(reference, [window('a', reference.inputHistogram, [97, 1, 1, 1])], 0.25);
    expect(skewed.clients[0]).toMatchObject({ flagged: true });
    expect(skewed.cohort.flagged).toBe(true);
  });

  it('has no scores without a reference or without data', () => {
    expect(driftReport(undefined, [window('a', reference.inputHistogram)], 0.25).clients[0]).toMatchObject({ inputPsi: undefined, classPsi: undefined, flagged: false });
    expect(driftReport(reference, [window('a', new Array(16).fill(0), [0, 0, 0, 0])], 0.25).clients[0]).toMatchObject({ inputPsi: undefined, flagged: false });
  });
});
