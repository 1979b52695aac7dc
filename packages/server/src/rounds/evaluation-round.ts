/** One open federated-evaluation phase: collects client metrics on a global version until all reported or the deadline. */
import { ShoalError, type EvaluateResult } from '@shoal/protocol';
import type { ClientFailure, EvaluateReport } from '@shoal/strategy';
import { deferred } from '../time/deferred.js';

export class EvaluationRound {
  readonly reports: EvaluateReport[] = [];
  readonly failures: ClientFailure[] = [];
  private readonly pending: Set<string>;
  private readonly closed = deferred<void>();
  private isClosed = false;

  constructor(
    readonly round: number,
    readonly modelVersion: number,
    private readonly tasks: ReadonlyMap<string, string>,
  ) {
    this.pending = new Set(tasks.keys());
    if (this.pending.size === 0) this.close();
  }

  get whenClosed(): Promise<void> {
    return this.closed.promise;
  }

  get open(): boolean {
    return !this.isClosed;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const clientId of this.pending) this.failures.push({ clientId, code: 'LATE_UPDATE', message: 'no evaluation before the deadline' });
    this.closed.resolve();
  }

  accept(clientId: string, result: EvaluateResult): void {
    const taskId = this.tasks.get(clientId);
    if (taskId === undefined) throw new ShoalError('NOT_SELECTED', `client ${clientId} was not asked to evaluate round ${result.round}`);
    if (!this.pending.has(clientId)) throw new ShoalError('DUPLICATE_UPDATE', `client ${clientId} already reported its evaluation`);
    if (result.taskId !== taskId) throw new ShoalError('VALIDATION_FAILED', `taskId ${result.taskId} does not match the task sent (${taskId})`);
    if (result.modelVersion !== this.modelVersion) {
      throw new ShoalError('WRONG_ROUND', `evaluation is of version ${result.modelVersion}; version ${this.modelVersion} was asked for`);
    }
    this.pending.delete(clientId);
    this.reports.push({ clientId, numExamples: result.numExamples, loss: result.loss, accuracy: result.accuracy });
    if (this.pending.size === 0) this.close();
  }

  fail(clientId: string, code: string, message: string): void {
    if (!this.pending.delete(clientId)) return;
    this.failures.push({ clientId, code, message });
    if (this.pending.size === 0) this.close();
  }
}
