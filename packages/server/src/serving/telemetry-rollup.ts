/** The roll-up of a deployment's telemetry windows (the wire view is protocol's TelemetrySummary): sums, request-weighted means of the windows' latency percentiles, labelled accuracy. */
import type { TelemetryWindow } from './deployment.js';

export interface TelemetryRollup {
  windows: number;
  /** Windows with at least one request: what a canary's minReports counts. */
  reports: number;
  clients: number;
  requests: number;
  errors: number;
  /** Absent without requests. Percentiles of windows cannot be merged exactly; a request-weighted mean is close and cheap. */
  latencyMs: { p50: number; p95: number; p99: number; max: number } | undefined;
  labelled: number;
  accuracy: number | undefined;
  lastReportAt: number | undefined;
}

export function rollUpTelemetry(windows: readonly TelemetryWindow[]): TelemetryRollup {
  const clients = new Set<string>();
  let reports = 0;
  let requests = 0;
  let errors = 0;
  let labelled = 0;
  let correct = 0;
  let lastReportAt: number | undefined;
  const weighted = { p50: 0, p95: 0, p99: 0, max: 0 };
  for (const window of windows) {
    clients.add(window.clientId);
    requests += window.requests;
    errors += window.errors;
    labelled += window.labelledCount;
    correct += window.labelledCorrect;
    lastReportAt = Math.max(lastReportAt ?? 0, window.receivedAt);
    if (window.requests === 0) continue;
    reports += 1;
    weighted.p50 += window.latencyMs.p50 * window.requests;
    weighted.p95 += window.latencyMs.p95 * window.requests;
    weighted.p99 += window.latencyMs.p99 * window.requests;
    weighted.max = Math.max(weighted.max, window.latencyMs.max);
  }
  return {
    windows: windows.length,
    reports,
    clients: clients.size,
    requests,
    errors,
    latencyMs: requests === 0 ? undefined : { p50: weighted.p50 / requests, p95: weighted.p95 / requests, p99: weighted.p99 / requests, max: weighted.max },
    labelled,
    accuracy: labelled === 0 ? undefined : correct / labelled,
    lastReportAt,
  };
}
