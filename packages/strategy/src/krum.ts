/**
 * Krum and Multi-Krum (Blanchard et al. 2017). Each update's score is the sum of squared L2 distances to its n − f − 2
 * nearest neighbours; Krum returns the best-scored update, Multi-Krum the unweighted mean of the m best (as in the
 * paper; Flower's aggregate_krum weights that mean by example counts instead). Needs n ≥ 2f + 3.
 */
import { ShoalError } from '@shoal/protocol';
import { squaredDistance } from './tensor-measures.js';
import { checkSameShapes, type WeightedUpdate } from './update-buffer.js';

export interface KrumResult {
  /** The aggregate update, as new arrays. */
  update: Float32Array[];
  /** Indices of the chosen updates, best score first. */
  selected: number[];
  /** Every update's score, in input order. */
  scores: number[];
}

/** Scores in input order; ties between equal scores are broken by index wherever they are ranked. */
export function krumScores(updates: readonly WeightedUpdate[], byzantineClients: number): number[] {
  checkSameShapes(updates, 'krum');
  const count = updates.length;
  if (!(Number.isInteger(byzantineClients) && byzantineClients >= 0)) throw new ShoalError('VALIDATION_FAILED', `byzantineClients must be a non-negative integer, got ${byzantineClients}`);
  if (count < 2 * byzantineClients + 3) throw new ShoalError('VALIDATION_FAILED', `krum needs n ≥ 2f + 3 updates: ${count} < ${2 * byzantineClients + 3} for f = ${byzantineClients}`);
  const distances = new Float64Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const distance = squaredDistance(updates[i]!.values, updates[j]!.values);
      distances[i * count + j] = distance;
      distances[j * count + i] = distance;
    }
  }
  const neighbours = count - byzantineClients - 2;
  return Array.from({ length: count }, (_, i) => {
    const others = Array.from({ length: count - 1 }, (_, k) => distances[i * count + (k < i ? k : k + 1)]!).sort((a, b) => a - b);
    return others.slice(0, neighbours).reduce((sum, distance) => sum + distance, 0);
  });
}

export function krum(updates: readonly WeightedUpdate[], byzantineClients: number): KrumResult {
  return multiKrum(updates, byzantineClients, 1);
}

/** The unweighted mean of the `keepClients` best-scored updates (keepClients = 1 is Krum). */
export function multiKrum(updates: readonly WeightedUpdate[], byzantineClients: number, keepClients: number): KrumResult {
  const scores = krumScores(updates, byzantineClients);
  if (!(Number.isInteger(keepClients) && keepClients >= 1 && keepClients <= updates.length)) {
    throw new ShoalError('VALIDATION_FAILED', `keepClients must be an integer in [1, ${updates.length}], got ${keepClients}`);
  }
  const selected = scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .slice(0, keepClients)
    .map((entry) => entry.index);
  return { update: unweightedMean(selected.map((index) => updates[index]!.values)), selected, scores };
}

function unweightedMean(chosen: readonly (readonly Float32Array[])[]): Float32Array[] {
  return chosen[0]!.map((shape, t) => {
    const sum = new Float64Array(shape.length);
    for (const values of chosen) {
      const tensor = values[t]!;
      for (let i = 0; i < tensor.length; i++) sum[i]! += tensor[i]!;
    }
    return Float32Array.from(sum, (value) => value / chosen.length);
  });
}
