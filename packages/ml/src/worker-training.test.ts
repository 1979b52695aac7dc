import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

interface WorkerReport {
  backend: string;
  loss: number;
  numExamples: number;
}

/**
 * Node 20 ignores `--import` in a worker's execArgv (a data: URL preload does not run either), so the
 * worker's entry is a one-line module that registers tsx itself and then imports the TypeScript file.
 * The execArgv stays for Node versions that honour it.
 */
function trainInWorker(seed: number): Promise<WorkerReport> {
  const entry = new URL('./worker-training.fixture.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, {
    eval: true,
    execArgv: ['--import', 'tsx'],
    workerData: { seed },
    env: { ...process.env, SHOAL_BACKEND: '' },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (report: WorkerReport) => {
      resolve(report);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before reporting`)));
  });
}

describe('one tfjs per worker thread', () => {
  it('initialises the backend and trains in two workers at once', async () => {
    const reports = await Promise.all([trainInWorker(1), trainInWorker(2)]);

    for (const report of reports) {
      expect(report.backend).toBe('wasm');
      expect(report.numExamples).toBe(64);
      expect(Number.isFinite(report.loss)).toBe(true);
      expect(report.loss).toBeLessThan(Math.log(10)); // below chance after two epochs
    }
    expect(reports[0]!.loss).not.toBe(reports[1]!.loss);
  });
});
