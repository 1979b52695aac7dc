/** Which entries a sparsifier keeps: the k largest magnitudes, or k uniformly random entries; ascending indices. */
import type { RandomSource } from './codec.js';

/** Rearranges `values` so position `rank` holds the value it would hold sorted ascending (Hoare quickselect). */
function selectRank(values: Float32Array, rank: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const a = values[left]!;
    const b = values[(left + right) >>> 1]!;
    const c = values[right]!;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (rank <= j) right = j;
    else if (rank >= i) left = i;
    else break;
  }
  return values[rank]!;
}

/** The k entries of largest magnitude; among equal magnitudes at the threshold, the lower indices win. */
export function topKIndices(values: Float32Array, k: number): Uint32Array {
  const n = values.length;
  const kept = new Uint32Array(k);
  if (k === 0) return kept;
  const magnitudes = new Float32Array(n);
  for (let index = 0; index < n; index++) magnitudes[index] = Math.abs(values[index]!);
  const threshold = k >= n ? 0 : selectRank(magnitudes, n - k);
  let above = 0;
  for (let index = 0; index < n; index++) if (Math.abs(values[index]!) > threshold) above++;
  let equalWanted = k - above;
  let count = 0;
  for (let index = 0; index < n && count < k; index++) {
    const magnitude = Math.abs(values[index]!);
    if (magnitude > threshold || (magnitude === threshold && equalWanted-- > 0)) kept[count++] = index;
  }
  return kept;
}

/** k distinct indices of [0, n), each subset equally likely (Floyd's algorithm, or a partial shuffle when k is large). */
export function randomKIndices(n: number, k: number, random: RandomSource): Uint32Array {
  if (2 * k <= n) {
    const chosen = new Set<number>();
    for (let top = n - k; top < n; top++) {
      const pick = Math.floor(random() * (top + 1));
      chosen.add(chosen.has(pick) ? top : pick);
    }
    return Uint32Array.from(chosen).sort();
  }
  const order = new Uint32Array(n);
  for (let index = 0; index < n; index++) order[index] = index;
  for (let index = 0; index < k; index++) {
    const pick = index + Math.floor(random() * (n - index));
    const swap = order[index]!;
    order[index] = order[pick]!;
    order[pick] = swap;
  }
  return order.slice(0, k).sort();
}
