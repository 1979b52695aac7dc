import { describe, expect, it } from 'vitest';
import { ShoalError, type TelemetryReport } from '@shoal/protocol';
import { checkTelemetryReport } from './telemetry-checks.js';

const assigned = { id: 'dep-1', jobId: 'job-1', version: 3, numClasses: 2 };
const report: TelemetryReport = {
  deploymentId: 'dep-1', jobId: 'job-1', version: 3, windowStartMs: 1000, windowEndMs: 2000, requests: 10, errors: 1,
  latencyMs: { p50: 1, p95: 2, p99: 3, max: 4 }, classCounts: [4, 5], inputHistogram: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  inputMean: 0.2, inputStd: 0.3, labelled: { count: 5, correct: 4 },
};
const codeOf = (value: TelemetryReport, to: typeof assigned | undefined = assigned) => {
  try {
    checkTelemetryReport(value, to);
    return 'ok';
  } catch (error) {
    return (error as ShoalError).code;
  }
};

describe('checkTelemetryReport', () => {
  it('accepts a consistent report for the assignment', () => {
    expect(codeOf(report)).toBe('ok');
  });

  it('refuses reports for another deployment, job or version, or without an assignment', () => {
    expect(codeOf({ ...report, deploymentId: 'dep-2' })).toBe('NOT_ASSIGNED');
    expect(codeOf({ ...report, version: 2 })).toBe('NOT_ASSIGNED');
    expect(codeOf({ ...report, jobId: 'job-2' })).toBe('NOT_ASSIGNED');
  });

  it('refuses every report from a client without an assignment', () => {
    expect(() => checkTelemetryReport(report, undefined)).toThrow(/not assigned deployment dep-1/);
  });

  it('refuses non-finite numbers', () => {
    expect(codeOf({ ...report, inputMean: Number.POSITIVE_INFINITY })).toBe('NON_FINITE_VALUES');
    expect(codeOf({ ...report, latencyMs: { ...report.latencyMs, max: Number.NaN } })).toBe('NON_FINITE_VALUES');
  });

  it('refuses inconsistent counts, naming every field', () => {
    const bad = { ...report, windowEndMs: 10, errors: 11, latencyMs: { p50: 5, p95: 2, p99: 3, max: 4 }, classCounts: [1, 2, 3] as [number, ...number[]], labelled: { count: 1, correct: 2 } };
    try {
      checkTelemetryReport(bad, assigned);
      expect.unreachable();
    } catch (error) {
      expect((error as ShoalError).code).toBe('VALIDATION_FAILED');
      const fields = ((error as ShoalError).details?.['problems'] as { field: string }[]).map((problem) => problem.field);
      expect(fields).toEqual(['/windowEndMs', '/errors', '/latencyMs', '/classCounts', '/labelled/correct']);
    }
  });
});
