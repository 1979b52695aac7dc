/** A pool of trainer workers: tasks queue in arrival order and go to whichever worker is free; any worker can train any client. */
import type { Worker } from 'node:worker_threads';
import { ShoalError } from '@shoal/protocol';
import { startTsWorker } from '@shoal/server';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-messages.js';

const ENTRY = new URL('./trainer-worker.ts', import.meta.url);

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type FitRequest = Extract<Request, { type: 'fit' }>;
type Reply<T extends 'ready' | 'model' | 'fit' | 'evaluate'> = Extract<WorkerReply, { ok: true; type: T }>;

interface Slot {
  worker: Worker;
  busy: boolean;
  /** The global version this worker holds decoded, so its frame is sent once per worker and version. */
  holds: string | undefined;
  busyMs: number;
}

interface Job {
  request: Request;
  resolve: (reply: WorkerReply) => void;
  reject: (error: unknown) => void;
}

export class TrainerPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly waiting = new Map<number, { slot: Slot; job: Job; started: number }>();
  private nextId = 1;
  private closed = false;

  constructor(size: number, init: WorkerInit) {
    this.slots = Array.from({ length: size }, () => {
      const worker = startTsWorker(ENTRY, { workerData: init });
      const slot: Slot = { worker, busy: false, holds: undefined, busyMs: 0 };
      worker.on('message', (reply: WorkerReply) => this.finish(reply));
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => !this.closed && this.failAll(new Error(`trainer worker exited with code ${code}`)));
      return slot;
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Milliseconds each worker has spent on tasks. */
  get busyMs(): number[] {
    return this.slots.map((slot) => slot.busyMs);
  }

  /** Resolves once every worker has started its tfjs backend, so the first round does not pay for it. */
  async ready(): Promise<string[]> {
    const replies = await Promise.all(this.slots.map((slot) => this.send(slot, { type: 'ready' })));
    return replies.map((reply) => (reply as Reply<'ready'>).backend);
  }

  /** Builds the job's model in every worker (a client builds it once per job from the topology it downloads). */
  async setModel(jobId: string, topology: unknown): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.send(slot, { type: 'model', jobId, topology })));
    for (const slot of this.slots) slot.holds = undefined;
  }

  fit(request: Omit<FitRequest, 'type' | 'weights'>, weights: Uint8Array): Promise<Reply<'fit'>> {
    return this.enqueue({ type: 'fit', ...request, weights }) as Promise<Reply<'fit'>>;
  }

  evaluate(jobId: string, weights: Uint8Array, limit: number | undefined): Promise<Reply<'evaluate'>> {
    return this.enqueue({ type: 'evaluate', jobId, weights, limit }) as Promise<Reply<'evaluate'>>;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private enqueue(request: Request): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      let request = job.request;
      if (request.type === 'fit') {
        const key = `${request.jobId}@${request.version}`;
        request = { ...request, weights: slot.holds === key ? undefined : request.weights };
        slot.holds = key;
      }
      this.post(slot, job, request);
    }
  }

  private send(slot: Slot, request: Request): Promise<WorkerReply> {
    return new Promise((resolve, reject) => this.post(slot, { request, resolve, reject }, request));
  }

  private post(slot: Slot, job: Job, request: Request): void {
    const id = this.nextId++;
    slot.busy = true;
    this.waiting.set(id, { slot, job, started: performance.now() });
    slot.worker.postMessage({ ...request, id });
  }

  private finish(reply: WorkerReply): void {
    const entry = this.waiting.get(reply.id);
    if (entry === undefined) return;
    this.waiting.delete(reply.id);
    entry.slot.busy = false;
    entry.slot.busyMs += performance.now() - entry.started;
    if (reply.ok) entry.job.resolve(reply);
    else entry.job.reject(ShoalError.fromWire(reply.error));
    this.dispatch();
  }

  private failAll(error: unknown): void {
    const failure = ShoalError.from(error);
    for (const { job } of this.waiting.values()) job.reject(failure);
    for (const job of this.queue.splice(0)) job.reject(failure);
    this.waiting.clear();
  }
}
