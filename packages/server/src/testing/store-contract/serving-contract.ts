/** The contract of the serving, strategy-state and artifact ports. */
import { describe, expect, it } from 'vitest';
import type { Deployment, TelemetryWindow } from '../../serving/deployment.js';
import type { ArtifactRecord } from '../../store/records.js';
import type { ContractSection } from './contract-types.js';
import { addJob, bytesOf, weightBytes } from './fixtures.js';

export const deployment = (id: string, overrides: Partial<Deployment> = {}): Deployment => ({
  id,
  jobId: 'job-a',
  version: 0,
  artifactId: undefined,
  cohort: ['eu', 'lab'],
  canary: { percent: 10, minReports: 3, observeMs: 60_000, maxP99Ms: 50 },
  status: 'canary',
  statusReason: undefined,
  previousDeploymentId: undefined,
  telemetryIntervalMs: 30_000,
  driftThreshold: 0.2,
  reference: { examples: 100, inputHistogram: [0.5, 0.5], classCounts: [60, 40] },
  numClasses: 2,
  createdBy: 'admin-token:tok-1',
  createdAt: 1_000,
  updatedAt: 1_000,
  ...overrides,
});

const telemetryWindow = (clientId: string, windowStartMs: number, deploymentId = 'dep-1'): TelemetryWindow => ({
  deploymentId,
  clientId,
  windowStartMs,
  windowEndMs: windowStartMs + 30_000,
  receivedAt: windowStartMs + 30_500,
  requests: 20,
  errors: 1,
  latencyMs: { p50: 1.5, p95: 4.25, p99: 8, max: 12 },
  classCounts: [12, 8],
  inputHistogram: [0.25, 0.75],
  inputMean: 0.375,
  inputStd: 0.125,
  labelledCount: 5,
  labelledCorrect: 4,
});

export const artifact = (id: string, overrides: Partial<ArtifactRecord> = {}): ArtifactRecord => ({
  id,
  jobId: 'job-a',
  version: 0,
  createdAt: 1_000,
  candidate: 'units-25%+int8-channel',
  topology: { class_name: 'Sequential' },
  tensorSpecs: [{ name: 'dense/kernel', shape: [3, 4] }],
  codec: { id: 'int8', params: { perChannel: true } },
  weights: weightBytes(9, 64),
  sizeBytes: 64,
  gzipBytes: 40,
  accuracy: 0.875,
  latencyP50Ms: 0.5,
  latencyP99Ms: 1.25,
  parameterCount: 16,
  sparsity: 0.5,
  minAccuracy: 0.8,
  heldOutExamples: 1_000,
  report: { base: { name: 'float32', accuracy: 0.9, latencyP50Ms: 1, latencyP99Ms: 2, sizeBytes: 256, gzipBytes: 200, parameterCount: 16, sparsity: 0 }, candidates: [], skipped: ['fp16: no kernel'], backend: 'cpu', buildMs: 120, settings: { minAccuracy: 0.8 } },
  ...overrides,
});

export const servingContract: ContractSection = (use) => {
  describe('serving', () => {
    it('stores a deployment with its first history entry and the changes it causes', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.serving.insertDeployment(deployment('dep-1', { status: 'serving', canary: undefined, reference: undefined }), []);
      await store.serving.insertDeployment(deployment('dep-2', { createdAt: 2_000, updatedAt: 2_000, previousDeploymentId: 'dep-1' }), [{ id: 'dep-1', status: 'superseded', reason: 'replaced by dep-2' }]);
      expect(await store.serving.get('dep-2')).toEqual(deployment('dep-2', { createdAt: 2_000, updatedAt: 2_000, previousDeploymentId: 'dep-1' }));
      expect(await store.serving.get('dep-1')).toEqual(deployment('dep-1', { status: 'superseded', statusReason: 'replaced by dep-2', canary: undefined, reference: undefined, updatedAt: 2_000 }));
      expect(await store.serving.history('dep-1')).toEqual([
        { deploymentId: 'dep-1', at: 1_000, status: 'serving', actor: 'admin-token:tok-1', reason: undefined },
        { deploymentId: 'dep-1', at: 2_000, status: 'superseded', actor: 'admin-token:tok-1', reason: 'replaced by dep-2' },
      ]);
      expect(await store.serving.get('dep-9')).toBeUndefined();
    });

    it('lists newest first with filters, and the active ones', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      await store.serving.insertDeployment(deployment('dep-1', { status: 'serving' }), []);
      await store.serving.insertDeployment(deployment('dep-2', { createdAt: 2_000 }), []);
      await store.serving.insertDeployment(deployment('dep-3', { jobId: 'job-b', createdAt: 3_000, status: 'rolled_back' }), []);
      const ids = (list: Deployment[]): string[] => list.map((d) => d.id);
      expect(ids(await store.serving.list())).toEqual(['dep-3', 'dep-2', 'dep-1']);
      expect(ids(await store.serving.list({ jobId: 'job-a' }))).toEqual(['dep-2', 'dep-1']);
      expect(ids(await store.serving.list({ status: 'serving' }))).toEqual(['dep-1']);
      expect(ids(await store.serving.active())).toEqual(['dep-2', 'dep-1']);
    });

    it('changes statuses together, each with a history entry', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.serving.insertDeployment(deployment('dep-1', { status: 'serving' }), []);
      await store.serving.insertDeployment(deployment('dep-2'), []);
      await store.serving.changeStatus([{ id: 'dep-2', status: 'rolled_back', reason: 'p99 above 50 ms' }, { id: 'dep-1', status: 'serving', reason: undefined }], 'system:rollout', 5_000);
      expect(await store.serving.get('dep-2')).toMatchObject({ status: 'rolled_back', statusReason: 'p99 above 50 ms', updatedAt: 5_000 });
      expect((await store.serving.history('dep-2')).at(-1)).toEqual({ deploymentId: 'dep-2', at: 5_000, status: 'rolled_back', actor: 'system:rollout', reason: 'p99 above 50 ms' });
      expect(await store.serving.history('dep-1')).toHaveLength(2);
    });

    it('saves and removes client assignments', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.serving.insertDeployment(deployment('dep-1'), []);
      await store.serving.insertDeployment(deployment('dep-2'), []);
      await store.serving.saveAssignments([
        { clientId: 'c1', deploymentId: 'dep-1', canary: true, assignedAt: 100 },
        { clientId: 'c2', deploymentId: 'dep-1', canary: false, assignedAt: 100 },
      ]);
      await store.serving.saveAssignments([{ clientId: 'c1', deploymentId: 'dep-2', canary: false, assignedAt: 200 }], ['c2']);
      expect(await store.serving.assignment('c1')).toEqual({ clientId: 'c1', deploymentId: 'dep-2', canary: false, assignedAt: 200 });
      expect(await store.serving.assignment('c2')).toBeUndefined();
      expect([...(await store.serving.allAssignments()).keys()]).toEqual(['c1']);
      expect(await store.serving.assignedClients('dep-2')).toEqual([{ clientId: 'c1', canary: false }]);
      expect(await store.serving.assignedClients('dep-1')).toEqual([]);
    });

    it('keeps the newest telemetry windows of each client', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await store.serving.insertDeployment(deployment('dep-1'), []);
      for (const start of [1, 2, 3, 4]) await store.serving.insertWindow(telemetryWindow('c1', start * 1_000), 2);
      await store.serving.insertWindow(telemetryWindow('c2', 500), 2);
      const windows = await store.serving.windows('dep-1');
      expect(windows.map((w) => [w.clientId, w.windowStartMs])).toEqual([['c1', 3_000], ['c1', 4_000], ['c2', 500]]);
      expect(windows[0]).toEqual(telemetryWindow('c1', 3_000));
    });
  });

  describe('strategy states', () => {
    it('saves and loads a state per version, tensors bit for bit', async () => {
      const store = use();
      await addJob(store, 'job-a');
      const state = { scalars: { step: 3, clipNorm: 0.75 }, tensors: { momentum: [Float32Array.of(0.1, -2.5, 1e-30), Float32Array.of()], previous: [Float32Array.of(Math.PI)] } };
      await store.strategyStates.save('job-a', 1, state);
      await store.strategyStates.save('job-a', 2, { scalars: { step: 4 }, tensors: {} });
      expect(await store.strategyStates.load('job-a', 1)).toEqual(state);
      expect(await store.strategyStates.load('job-a', 2)).toEqual({ scalars: { step: 4 }, tensors: {} });
      expect(await store.strategyStates.load('job-a', 3)).toBeUndefined();
      await store.strategyStates.save('job-a', 2, { scalars: { step: 5 }, tensors: {} });
      expect((await store.strategyStates.load('job-a', 2))?.scalars).toEqual({ step: 5 });
    });

    it('prunes only the job’s states older than a version', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      const state = { scalars: { step: 1 }, tensors: {} };
      for (const version of [1, 2, 3]) await store.strategyStates.save('job-a', version, state);
      await store.strategyStates.save('job-b', 1, state);
      await store.strategyStates.pruneBefore('job-a', 3);
      expect(await store.strategyStates.load('job-a', 2)).toBeUndefined();
      expect(await store.strategyStates.load('job-a', 3)).toEqual(state);
      expect(await store.strategyStates.load('job-b', 1)).toEqual(state);
    });
  });

  describe('artifacts', () => {
    it('reads an artifact back with its weights, and lists them oldest first without', async () => {
      const store = use();
      await addJob(store, 'job-a');
      await addJob(store, 'job-b');
      await store.artifacts.insert(artifact('art-2', { createdAt: 2_000 }));
      await store.artifacts.insert(artifact('art-1'));
      await store.artifacts.insert(artifact('art-3', { jobId: 'job-b', createdAt: 3_000 }));
      const stored = await store.artifacts.get('art-1');
      expect({ ...stored, weights: bytesOf(stored?.weights) }).toEqual({ ...artifact('art-1'), weights: bytesOf(artifact('art-1').weights) });
      expect(await store.artifacts.get('art-9')).toBeUndefined();
      const listed = await store.artifacts.list();
      expect(listed.map((a) => a.id)).toEqual(['art-1', 'art-2', 'art-3']);
      expect(listed.some((a) => 'weights' in a)).toBe(false);
      expect((await store.artifacts.list({ jobId: 'job-b' })).map((a) => a.id)).toEqual(['art-3']);
      expect(await store.artifacts.count()).toBe(3);
    });
  });
};
