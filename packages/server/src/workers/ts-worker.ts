/** Starts a worker thread from a TypeScript module; the worker registers tsx itself, so this works under any parent loader. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOTSTRAP = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

export function startTsWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const workerData = { ...(options.workerData as Record<string, unknown> | undefined), tsEntry: moduleUrl.href };
  return new Worker(BOOTSTRAP, { ...options, workerData });
}
