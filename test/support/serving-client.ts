/** A raw protocol client for serving tests: hello with cohort labels, the serving:assign messages it received, telemetry reports. */
import type { ServingAssign, TelemetryReport } from '@shoal/protocol';
import { call, connectRaw, type RawSocket } from './raw-client.js';
import { PATIENCE_MS } from './patience.js';

export class ServingClient {
  readonly assignments: ServingAssign[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: RawSocket,
    readonly id: string,
    readonly labels: string[],
  ) {
    socket.on('serving:assign', (assignment: ServingAssign) => {
      this.assignments.push(assignment);
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  /** Connects, sends hello with `labels` (and `clientId` when it reconnects) and resolves once registered. */
  static async connect(url: string, name: string, labels: string[], clientId?: string): Promise<ServingClient> {
    const socket = await connectRaw(url);
    const client = new ServingClient(socket, '', labels);
    const reply = await call(socket, 'hello', {
      ...(clientId === undefined ? {} : { clientId }),
      name,
      capabilities: { platform: 'test', backend: 'none', agentVersion: 'test', numTrainExamples: 0, numEvalExamples: 0, labels },
    });
    if (!reply.ok) throw new Error(`hello refused: ${JSON.stringify(reply.error)}`);
    Object.assign(client, { id: String(reply['clientId']) });
    return client;
  }

  get current(): ServingAssign | undefined {
    return this.assignments.at(-1);
  }

  /** Resolves when the latest assignment is of `deploymentId` (rejects only after PATIENCE_MS: a hang). */
  async assignedTo(deploymentId: string): Promise<ServingAssign> {
    const deadline = Date.now() + PATIENCE_MS;
    while (this.current?.deploymentId !== deploymentId) {
      if (Date.now() > deadline) throw new Error(`${this.id} was not assigned ${deploymentId}; its assignments: ${JSON.stringify(this.assignments.map((a) => a.deploymentId))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.current;
  }

  report(patch: ReportPatch = {}): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
    const assignment = this.current;
    if (assignment === undefined) throw new Error(`${this.id} has no assignment to report for`);
    return call(this.socket, 'telemetry:report', telemetryReport(assignment, patch));
  }

  disconnect(): void {
    this.socket.disconnect();
  }
}

/** Fields to change in a report; any value, since tests also send what the protocol refuses. */
export type ReportPatch = { [K in keyof TelemetryReport]?: unknown };

/** A consistent telemetry window for an assignment (100 requests, 10 classes, a flat input histogram, p99 of 12 ms), then `patch`. */
export function telemetryReport(assignment: Pick<ServingAssign, 'deploymentId' | 'jobId' | 'version'>, patch: ReportPatch = {}): Record<string, unknown> {
  const end = Date.now();
  return {
    deploymentId: assignment.deploymentId,
    jobId: assignment.jobId,
    version: assignment.version,
    windowStartMs: end - 1000,
    windowEndMs: end,
    requests: 100,
    errors: 0,
    latencyMs: { p50: 4, p95: 9, p99: 12, max: 20 },
    classCounts: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
    inputHistogram: [49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49],
    inputMean: 0.5,
    inputStd: 0.29,
    ...patch,
  };
}
