import { describe, expect, it } from 'vitest';
import { clipFactor, clipInPlace, l2Norm, nextClipNorm } from './clipping.js';
import { addGaussianNoise, cryptoUniform, gaussianSampler } from './gaussian-noise.js';

describe('clipping', () => {
  it('bounds every update to the clip norm and leaves small ones alone', () => {
    for (const scale of [0.01, 0.5, 3, 1000]) {
      const update = [Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * scale), Float32Array.of(scale)];
      const before = l2Norm(update);
      const copy = update.map((t) => Float32Array.from(t));
      clipInPlace(update, 1);
      expect(l2Norm(update)).toBeLessThanOrEqual(1 + 1e-6);
      if (before <= 1) expect(update).toEqual(copy);
      else expect(l2Norm(update)).toBeCloseTo(1, 5);
    }
    expect(clipFactor(5, Infinity)).toBe(1);
    expect(() => clipFactor(1, 0)).toThrow(/clip norm/);
  });

  it('moves the adaptive clip norm towards the target quantile', () => {
    const state = { clipNorm: 1, targetQuantile: 0.5, learningRate: 0.2 };
    expect(nextClipNorm(state, 0.9)).toBeLessThan(1); // too many unclipped: lower C
    expect(nextClipNorm(state, 0.1)).toBeGreaterThan(1);
    expect(nextClipNorm(state, 0.5)).toBe(1);
  });
});

describe('Gaussian noise', () => {
  it('has the requested standard deviation z·C over many draws', () => {
    const z = 1.3;
    const clip = 0.7;
    const values = [new Float32Array(200_000)];
    addGaussianNoise(values, z * clip);
    let sum = 0;
    let squares = 0;
    for (const v of values[0]!) {
      sum += v;
      squares += v * v;
    }
    const mean = sum / values[0]!.length;
    const stddev = Math.sqrt(squares / values[0]!.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(stddev - z * clip) / (z * clip)).toBeLessThan(0.01);
  });

  it('draws uniforms strictly inside (0, 1) and is reproducible with a seeded source', () => {
    for (let i = 0; i < 1000; i++) {
      const u = cryptoUniform();
      expect(u > 0 && u < 1).toBe(true);
    }
    const seeded = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const a = gaussianSampler(seeded(3));
    const b = gaussianSampler(seeded(3));
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
