/**
 * Keeps one open telemetry window per served version and sends them as telemetry:report every interval. A swap
 * cuts the outgoing version's window at once, so every report covers exactly one version; requests that finish on
 * the old version after the cut go into a new window of that version, sent at the next interval.
 */
import { ShoalError, parseMessage, type TelemetryReport } from '@shoal/protocol';
import type { ServedVersion } from './served-version.js';
import { TelemetryWindow } from './telemetry-window.js';

/** Delivers one report; rejects when the coordinator refused it or could not be reached. */
export type SendTelemetry = (report: TelemetryReport) => Promise<void>;

export interface TelemetryReporterOptions {
  /** The version being served now. */
  current: () => ServedVersion | undefined;
  /** Without it, windows are kept but never sent. */
  send?: SendTelemetry | undefined;
  warn: (message: string) => void;
  now?: () => number;
}

export class TelemetryReporter {
  private readonly windows = new Map<ServedVersion, TelemetryWindow>();
  private readonly current: () => ServedVersion | undefined;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TelemetryReporterOptions) {
    this.current = options.current;
    this.now = options.now ?? Date.now;
  }

  /** The open window of `served`, opened now if it has none. */
  windowOf(served: ServedVersion): TelemetryWindow {
    let window = this.windows.get(served);
    if (window === undefined) {
      window = new TelemetryWindow(served.numClasses, this.now());
      this.windows.set(served, window);
    }
    return window;
  }

  /** Starts (or restarts with a new interval) sending reports every intervalMs. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** At one instant, ends the outgoing version's window (and sends it) and opens the incoming version's. */
  swapped(previous: ServedVersion | undefined, next: ServedVersion): void {
    const at = this.now();
    this.windows.set(next, new TelemetryWindow(next.numClasses, at));
    if (previous !== undefined) void this.report(previous, false, at);
  }

  /** Sends every window due: the served version's always, a retired version's only when it saw something. */
  async flush(): Promise<void> {
    const served = this.current();
    const due = [...this.windows.keys()];
    if (served !== undefined && !this.windows.has(served)) due.push(served);
    await Promise.all(due.map((version) => this.report(version, version === served)));
  }

  private async report(served: ServedVersion, evenIfEmpty: boolean, end = this.now()): Promise<void> {
    const window = this.windows.get(served) ?? new TelemetryWindow(served.numClasses, end);
    this.windows.delete(served);
    if (window.isEmpty && !evenIfEmpty) return;
    // The next window of the served version starts where this one ended.
    if (served === this.current()) this.windows.set(served, new TelemetryWindow(served.numClasses, end));
    const send = this.options.send;
    if (send === undefined) return;
    try {
      // Checked against the schema on the way out too: a bug here should fail loudly on the device, not on the coordinator.
      await send(parseMessage('telemetry-report', { deploymentId: served.deploymentId, jobId: served.jobId, version: served.version, ...window.statistics(end) }));
    } catch (error) {
      // Telemetry is best effort: a window that cannot be delivered is dropped, not retried. NOT_ASSIGNED is expected
      // for the outgoing version while a new assignment downloads (the coordinator has already moved on).
      const failure = ShoalError.from(error);
      if (failure.code !== 'NOT_ASSIGNED') this.options.warn(`telemetry report for ${served.jobId} v${served.version} was not delivered: ${failure.message}`);
    }
  }
}
