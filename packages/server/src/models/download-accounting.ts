/** Attributes weights downloads to the open round's fit tasks: bytes per contribution, and how many downloads were deltas. */
import type { RoundLedger } from '../rounds/round-ledger.js';

export interface DownloadCounts {
  total: number;
  deltas: number;
}

export class DownloadAccounting {
  private readonly tasks = new Map<string, { round: number; clientId: string }>();
  private counts: DownloadCounts = { total: 0, deltas: 0 };

  constructor(private readonly ledger: RoundLedger) {}

  /** A new round's tasks: downloads for earlier tasks count only in the metric from now on. */
  roundOpened(round: number, tasks: ReadonlyMap<string, string>): void {
    this.tasks.clear();
    this.counts = { total: 0, deltas: 0 };
    for (const [clientId, taskId] of tasks) this.tasks.set(taskId, { round, clientId });
  }

  /** The downloads made for the round's fit tasks so far. */
  get downloads(): DownloadCounts {
    return this.counts;
  }

  /** A weights download (full, or a delta from the client's base version), with the taskId its URL named. */
  record(taskId: string | undefined, bytes: number, delta: boolean): void {
    const task = taskId === undefined ? undefined : this.tasks.get(taskId);
    this.ledger.bytesDown(task?.round, task?.clientId, bytes);
    if (task === undefined) return;
    this.counts.total += 1;
    if (delta) this.counts.deltas += 1;
  }
}
