import { describe, expect, it } from 'vitest';
import { l2Norm } from '@shoal/privacy';
import type { FitConfig, NamedTensor } from '@shoal/protocol';
import { boundUpdate, clipUpdate } from './bound-update.js';

const TRAINING = { localEpochs: 1, batchSize: 10, learningRate: 0.1 };

function update(...values: number[][]): NamedTensor[] {
  return values.map((tensor, t) => ({ name: `t${t}`, shape: [tensor.length], values: Float32Array.from(tensor) }));
}

function norm(tensors: NamedTensor[]): number {
  return l2Norm(tensors.map((tensor) => tensor.values));
}

describe('boundUpdate', () => {
  it('clips to the L2 bound and adds noise of the requested standard deviation', () => {
    const values = [{ name: 'w', shape: [100_000], values: new Float32Array(100_000).fill(1) }];

    boundUpdate(values, { ...TRAINING, privacy: { clipNorm: 2, noiseStddev: 0.5 } });

    const noised = values[0]!.values;
    const mean = noised.reduce((a, v) => a + v, 0) / noised.length;
    const std = Math.sqrt(noised.reduce((a, v) => a + (v - mean) ** 2, 0) / noised.length);
    expect(mean).toBeCloseTo(2 / Math.sqrt(100_000), 2);
    expect(Math.abs(std - 0.5) / 0.5).toBeLessThan(0.02);
  });

  it('leaves an update inside the bounds untouched when there is no noise', () => {
    const values = update([0.3, 0.4]);

    boundUpdate(values, { ...TRAINING, updateClipNorm: 1, privacy: { clipNorm: 1, noiseStddev: 0 } });

    expect(Array.from(values[0]!.values)).toEqual([0.3, 0.4].map(Math.fround));
  });

  it('leaves the update alone without bounds', () => {
    const values = update([30, 40]);

    expect(clipUpdate(values, TRAINING)).toBeUndefined();
    expect(Array.from(values[0]!.values)).toEqual([30, 40]);
  });

  const TIGHTER: [string, Partial<FitConfig>, number][] = [
    ['updateClipNorm alone', { updateClipNorm: 5 }, 5],
    ['updateClipNorm when it is tighter than privacy.clipNorm', { updateClipNorm: 2, privacy: { clipNorm: 4, noiseStddev: 0 } }, 2],
    ['privacy.clipNorm when it is tighter than updateClipNorm', { updateClipNorm: 4, privacy: { clipNorm: 3, noiseStddev: 0 } }, 3],
  ];

  for (const [name, config, bound] of TIGHTER) {
    it(`clips the whole update, across tensors, to ${name}`, () => {
      const values = update([30, 0], [40]);

      const before = clipUpdate(values, { ...TRAINING, ...config });

      expect(before).toBeCloseTo(50, 5);
      expect(norm(values)).toBeCloseTo(bound, 5);
      expect(values[0]!.values[0]! / values[1]!.values[0]!).toBeCloseTo(0.75, 6); // the direction is kept
    });
  }
});
