/** Uniform sampling of clients without replacement, driven by an injected random source for reproducibility. */

export function sampleWithoutReplacement<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const take = Math.min(count, pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, take);
}

/** Flower's rule: max(minimum, ceil(fraction * available)), capped by what is available. */
export function sampleSize(available: number, fraction: number, minimum: number): number {
  return Math.min(available, Math.max(minimum, Math.ceil(fraction * available)));
}
