/**
 * Request/reply with a TypeScript worker thread: the parent side (WorkerRpc: ids pair replies with requests, the worker
 * starts on first use, a crash fails what is pending, and an occasional worker stops once idle, giving its memory back)
 * and the worker side (answerRequests).
 */
import { parentPort, type Worker } from 'node:worker_threads';
import { ShoalError, type WireError } from '@shoal/protocol';
import { startTsWorker } from './ts-worker.js';

type Reply = { id: number; ok: true; [field: string]: unknown } | { id: number; ok: false; error: WireError };

export class WorkerRpc<Request extends object, Result> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: Result) => void; reject: (error: unknown) => void }>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly moduleUrl: URL,
    private readonly name: string,
    /** Stop the worker after this long without a request (undefined: keep it for good, for a worker used every round). */
    private readonly idleMs?: number,
  ) {}

  call(request: Request): Promise<Result> {
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startTsWorker(this.moduleUrl);
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) {
        const { id: _id, ok: _ok, ...result } = reply;
        waiter.resolve(result as Result);
      } else {
        waiter.reject(ShoalError.fromWire(reply.error));
      }
      if (this.pending.size === 0 && this.idleMs !== undefined) {
        // Wall time on purpose: this is memory housekeeping, not a deadline anything waits for.
        this.idleTimer = setTimeout(() => {
          if (this.pending.size === 0 && this.worker === worker) void this.close();
        }, this.idleMs);
        this.idleTimer.unref();
      }
    });
    const failAll = (error: unknown) => {
      for (const waiter of this.pending.values()) waiter.reject(ShoalError.from(error));
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`${this.name} worker exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** In a worker thread: answers each request with `{ id, ok: true, ...result }` or `{ id, ok: false, error }`. */
export function answerRequests<Request extends { id: number }>(handle: (request: Request) => Promise<object>): void {
  parentPort?.on('message', (request: Request) => {
    handle(request).then(
      (result) => parentPort?.postMessage({ ...result, id: request.id, ok: true }),
      (error: unknown) => parentPort?.postMessage({ id: request.id, ok: false, error: ShoalError.from(error).toWire() }),
    );
  });
}
