import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * A fresh copy of backend.ts (its once-per-thread state), sharing the one tfjs instance. The copy has
 * its own ShoalError class too, hence the matching on name and code below.
 */
async function freshBackendModule(): Promise<typeof import('./backend.js')> {
  vi.resetModules();
  return import('./backend.js');
}

describe('initBackend', () => {
  beforeEach(() => {
    vi.stubEnv('SHOAL_BACKEND', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('falls back from tfjs-node (not installed here) to wasm, logs the choice once and is idempotent', async () => {
    const { initBackend, activeBackend } = await freshBackendModule();
    const lines: string[] = [];
    expect(activeBackend()).toBeUndefined();

    const first = await initBackend({ log: (line) => lines.push(line) });
    const second = await initBackend({ preferred: ['cpu'], log: (line) => lines.push(line) });

    expect(first.name).toBe('wasm');
    expect(first.detail).toMatch(/SIMD on/);
    expect(first.detail).toMatch(/Conv2DBackpropFilter/);
    expect(second).toBe(first);
    expect(activeBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend: wasm .*skipped tensorflow: /);
  });

  it('logs to stderr by default', async () => {
    const { initBackend } = await freshBackendModule();
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});

    await initBackend({ preferred: ['cpu'] });

    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^\[shoal\/ml\] backend: cpu /));
    stderr.mockRestore();
  });

  it('lets SHOAL_BACKEND override the preferred list', async () => {
    vi.stubEnv('SHOAL_BACKEND', 'cpu');
    const { initBackend, activeBackend } = await freshBackendModule();

    const info = await initBackend({ preferred: ['wasm'], log: () => {} });

    expect(info.name).toBe('cpu');
    expect(activeBackend()).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown SHOAL_BACKEND, naming the variable', async () => {
    vi.stubEnv('SHOAL_BACKEND', 'webgpu');
    const { initBackend } = await freshBackendModule();

    const result = initBackend({ log: () => {} });

    await expect(result).rejects.toMatchObject({
      name: 'ShoalError',
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining("SHOAL_BACKEND='webgpu'"),
    });
  });

  it('fails with the reason when a forced backend is unavailable, and may then be retried', async () => {
    vi.stubEnv('SHOAL_BACKEND', 'tensorflow');
    const { initBackend, activeBackend } = await freshBackendModule();

    const forced = initBackend({ log: () => {} });
    await expect(forced).rejects.toMatchObject({
      name: 'ShoalError',
      code: 'NOT_IMPLEMENTED',
      message: expect.stringMatching(/tensorflow: .*@tensorflow\/tfjs-node/),
    });
    vi.stubEnv('SHOAL_BACKEND', '');
    const retried = await initBackend({ preferred: ['cpu'], log: () => {} });

    expect(retried.name).toBe('cpu');
    expect(activeBackend()).toBe('cpu');
  });

  it('removes the process handlers that the wasm glue installs to rethrow every error', async () => {
    const { initBackend } = await freshBackendModule();

    await initBackend({ preferred: ['wasm'], log: () => {} });

    const handlers = [...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')].map(String);
    expect(handlers.filter((source) => source.includes('ExitStatus') || /^function\s*\(\w+\)\s*\{\s*throw \w+;?\s*\}$/.test(source))).toEqual([]);
  });
});
