/** The acceptance rule for edge artifacts: the lowest-latency candidate whose held-out accuracy is at least the minimum. */
import { ShoalError } from '@shoal/protocol';

export interface CandidateFigures {
  name: string;
  /** Accuracy on the held-out set, of the weights exactly as the device decodes them. */
  accuracy: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Bytes of the weights frame, and of that frame gzipped (pruned int8 weights compress). */
  sizeBytes: number;
  gzipBytes: number;
  parameterCount: number;
  /** Fraction of kernel weights that are exactly zero. */
  sparsity: number;
}

/** p50 latencies within this fraction of the fastest count as equally fast: timing noise on a shared machine is larger. */
export const LATENCY_TIE_TOLERANCE = 0.05;

/**
 * Minimises p50 latency subject to accuracy ≥ minAccuracy; among candidates tied on latency, the smaller gzipped
 * size wins, then the higher accuracy. Throws ARTIFACT_BELOW_MIN_ACCURACY listing every candidate when none qualifies.
 */
export function selectArtifact<C extends CandidateFigures>(
  candidates: readonly C[],
  minAccuracy: number,
  options: { tieTolerance?: number; details?: Record<string, unknown> } = {},
): C {
  const eligible = candidates.filter((candidate) => candidate.accuracy >= minAccuracy);
  if (eligible.length === 0) {
    const best = [...candidates].sort((a, b) => b.accuracy - a.accuracy)[0];
    const bestText = best === undefined ? 'there were no candidates' : `the best was ${best.name} at ${best.accuracy.toFixed(4)}`;
    throw new ShoalError('ARTIFACT_BELOW_MIN_ACCURACY', `no edge artifact candidate reached the minimum accuracy ${minAccuracy} on the held-out set; ${bestText}`, {
      details: { ...options.details, minAccuracy, candidates: candidates.map(({ name, accuracy }) => ({ name, accuracy })) },
    });
  }
  const fastest = Math.min(...eligible.map((candidate) => candidate.latencyP50Ms));
  const tied = eligible.filter((candidate) => candidate.latencyP50Ms <= fastest * (1 + (options.tieTolerance ?? LATENCY_TIE_TOLERANCE)));
  return tied.sort((a, b) => a.gzipBytes - b.gzipBytes || b.accuracy - a.accuracy)[0]!;
}
