/**
 * Attributes weights downloads to the open round's fit tasks (bytes per contribution, and how many downloads were
 * deltas) and to its federated-evaluation tasks (bytes for the round). The byte metric moves at once; the contribution rows are written in batches (summed per round and client),
 * at round open and close, when the runner ends, and at most `flushIntervalMs` after a download, so a round of a
 * thousand downloads costs a handful of writes and a crash loses at most the counters of the last interval.
 */
import type { RoundLedger } from '../rounds/round-ledger.js';

export interface DownloadCounts {
  total: number;
  deltas: number;
}

/** How long downloaded bytes may wait in memory before their rows are written. */
export const DEFAULT_BYTES_DOWN_FLUSH_MS = 1_000;

export class DownloadAccounting {
  private readonly tasks = new Map<string, { round: number; clientId: string }>();
  /** The open federated-evaluation phase's task ids and the bytes their downloads moved. */
  private evaluation: { taskIds: ReadonlySet<string>; bytes: number } | undefined;
  private counts: DownloadCounts = { total: 0, deltas: 0 };
  /** Bytes not yet written, per round and client. */
  private readonly pending = new Map<string, { round: number; clientId: string; bytes: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ledger: Pick<RoundLedger, 'bytesDown' | 'writeBytesDown'>,
    private readonly flushIntervalMs = DEFAULT_BYTES_DOWN_FLUSH_MS,
    /** A write the timer made failed (the store is down, or another node took the job's lease): nothing may throw out of a timer. */
    private readonly onTimerError: (error: unknown) => void = () => {},
  ) {}

  /** A new round's tasks: downloads for earlier tasks count only in the metric from now on. */
  roundOpened(round: number, tasks: ReadonlyMap<string, string>): void {
    this.flush();
    this.tasks.clear();
    this.counts = { total: 0, deltas: 0 };
    for (const [clientId, taskId] of tasks) this.tasks.set(taskId, { round, clientId });
  }

  /** The round closed: its rows hold every byte downloaded so far, and these are its download counts. */
  roundClosed(): DownloadCounts {
    this.flush();
    return this.counts;
  }

  /**
   * The round's federated-evaluation tasks: their downloads count in the round's bytes down, not in a contribution
   * row (evaluating is not taking part in the fit) nor in the fit's download counts.
   */
  evaluationOpened(taskIds: Iterable<string>): void {
    this.evaluation = { taskIds: new Set(taskIds), bytes: 0 };
  }

  /** The evaluation phase closed: the bytes its tasks downloaded. */
  evaluationClosed(): number {
    const bytes = this.evaluation?.bytes ?? 0;
    this.evaluation = undefined;
    return bytes;
  }

  /**
   * A weights download (full, or a delta from the client's base version), with the taskId its URL named. A download
   * answered "not modified" moves no bytes and is not counted as one.
   */
  record(taskId: string | undefined, bytes: number, delta: boolean): void {
    if (bytes === 0) return;
    this.ledger.bytesDown(undefined, undefined, bytes);
    if (taskId !== undefined && this.evaluation?.taskIds.has(taskId) === true) {
      this.evaluation.bytes += bytes;
      return;
    }
    const task = taskId === undefined ? undefined : this.tasks.get(taskId);
    if (task === undefined) return;
    this.counts.total += 1;
    if (delta) this.counts.deltas += 1;
    const key = `${task.round}\n${task.clientId}`;
    const waiting = this.pending.get(key);
    if (waiting === undefined) this.pending.set(key, { ...task, bytes });
    else waiting.bytes += bytes;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        try {
          this.flush();
        } catch (error) {
          this.onTimerError(error);
        }
      }, this.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Writes the waiting bytes to their contribution rows. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.ledger.writeBytesDown(rows);
  }
}
