import { describe, expect, it } from 'vitest';
import { l2Norm } from '@shoal/privacy';
import type { FitTask } from '@shoal/protocol';
import { SecureUploads } from './secure-upload.js';

const REPORT = { numExamples: 10, loss: 1, accuracy: 0.5, durationMs: 1 };

function secureTask(updateClipNorm: number, length: number): FitTask {
  return {
    taskId: 'task-1',
    jobId: 'job-a',
    round: 1,
    modelVersion: 0,
    modelUrl: '/model.json',
    weightsUrl: '/weights',
    deadlineAt: 0,
    config: { localEpochs: 1, batchSize: 10, learningRate: 0.1, updateClipNorm },
    uploadCodec: { id: 'float32' },
    secureAggregation: { context: 'job-a/1', threshold: 2, ringBits: 32, clipRange: 10, maxClients: 3, length, phaseTimeoutMs: 1000 },
  };
}

describe('SecureUploads', () => {
  it('clips the update to updateClipNorm (an L2 bound the coordinator cannot apply) before the ring encoding', async () => {
    const delta = [{ name: 'w', shape: [4], values: Float32Array.of(3, 4, 0, 0) }, { name: 'b', shape: [1], values: Float32Array.of(0) }];
    const phases: string[] = [];
    // Without a connection the session ends at its first phase, after the update was bounded.
    const uploads = new SecureUploads({ socket: () => undefined, clientId: () => 'c-1', notify: (event) => phases.push(event.phase), sign: () => undefined });

    const sent = await uploads.upload(secureTask(1, 6), delta, REPORT);

    expect(sent).toBeUndefined();
    expect(phases).toEqual(['advertise']);
    expect(l2Norm(delta.map((tensor) => tensor.values))).toBeCloseTo(1, 6);
    expect(Array.from(delta[0]!.values)).toEqual([0.6, 0.8, 0, 0].map(Math.fround));
  });
});
