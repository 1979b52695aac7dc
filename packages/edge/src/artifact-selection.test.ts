import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/protocol';
import { selectArtifact, type CandidateFigures } from './artifact-selection.js';

const candidate = (name: string, accuracy: number, latencyP50Ms: number, gzipBytes = 1000): CandidateFigures => ({
  name, accuracy, latencyP50Ms, latencyP99Ms: 2 * latencyP50Ms, sizeBytes: 2000, gzipBytes, parameterCount: 10, sparsity: 0,
});

describe('selectArtifact', () => {
  it('picks the lowest-latency candidate that reaches the minimum accuracy', () => {
    const candidates = [candidate('accurate', 0.98, 1), candidate('fast but poor', 0.9, 0.2), candidate('fast enough', 0.96, 0.5)];

    expect(selectArtifact(candidates, 0.95).name).toBe('fast enough');
    expect(selectArtifact(candidates, 0.97).name).toBe('accurate');
    expect(selectArtifact(candidates, 0.9).name).toBe('fast but poor');
  });

  it('treats latencies within the tolerance as a tie and then prefers the smaller gzipped size', () => {
    const candidates = [candidate('dense', 0.97, 1.0, 5000), candidate('sparse', 0.96, 1.03, 3000), candidate('slow', 0.99, 1.2, 100)];

    expect(selectArtifact(candidates, 0.95).name).toBe('sparse');
    expect(selectArtifact(candidates, 0.95, { tieTolerance: 0 }).name).toBe('dense');
  });

  it('rejects with ARTIFACT_BELOW_MIN_ACCURACY listing every candidate when none qualifies', () => {
    const candidates = [candidate('a', 0.91, 1), candidate('b', 0.93, 2)];

    const error = (() => {
      try {
        selectArtifact(candidates, 0.999, { details: { baseAccuracy: 0.94 } });
      } catch (caught) {
        return caught as ShoalError;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ShoalError);
    expect(error!.code).toBe('ARTIFACT_BELOW_MIN_ACCURACY');
    expect(error!.httpStatus).toBe(422);
    expect(error!.message).toMatch(/the best was b at 0.9300/);
    expect(error!.details).toEqual({ baseAccuracy: 0.94, minAccuracy: 0.999, candidates: [{ name: 'a', accuracy: 0.91 }, { name: 'b', accuracy: 0.93 }] });
  });
});
