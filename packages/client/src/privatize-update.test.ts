import { describe, expect, it } from 'vitest';
import { privatizeUpdate } from './privatize-update.js';

describe('privatizeUpdate', () => {
  it('clips to the L2 bound and adds noise of the requested standard deviation', () => {
    const update = [{ name: 'w', shape: [100_000], values: new Float32Array(100_000).fill(1) }];
    const norm = privatizeUpdate(update, { clipNorm: 2, noiseStddev: 0.5 });
    expect(norm).toBeCloseTo(Math.sqrt(100_000), 3);
    const values = update[0]!.values;
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(2 / Math.sqrt(100_000), 2);
    expect(Math.abs(std - 0.5) / 0.5).toBeLessThan(0.02);
  });

  it('leaves an update inside the bound untouched when there is no noise', () => {
    const update = [{ name: 'w', shape: [2], values: Float32Array.of(0.3, 0.4) }];
    privatizeUpdate(update, { clipNorm: 1, noiseStddev: 0 });
    expect(Array.from(update[0]!.values)).toEqual([0.3, 0.4].map(Math.fround));
  });
});
