import { describe, expect, it } from 'vitest';
import { CountSketch, meanSketch, sketchDistance } from './count-sketch.js';
import { l2Distance } from './tensor-measures.js';
import { randomTensors, seeded } from './testing/envelopes.js';
import { weightedAverage } from './weighted-mean.js';

const SIZE = 200_000;
const LENGTHS = [150_000, 49_990, 10]; // several tensors, numbered as one vector

describe('CountSketch', () => {
  it('estimates each update’s distance to the weighted mean within 10% on realistic sizes', () => {
    const random = seeded(21);
    const base = randomTensors(random, LENGTHS, 0.01);
    const updates = Array.from({ length: 8 }, (_, k) => ({
      weight: 10 + 13 * k,
      tensors: base.map((tensor, t) => {
        const noise = randomTensors(random, [tensor.length], 0.001 * (1 + k))[0]!;
        return tensor.map((value, i) => value + noise[i]! + (k === 7 && t === 0 ? 0.05 : 0)); // one far-off update
      }),
    }));
    const sketch = new CountSketch(1024); // half the default k: the looser case

    const sketches = updates.map((u) => ({ weight: u.weight, sketch: sketch.sketch(u.tensors) }));
    const mean = meanSketch(sketches, sketch.buckets);

    const exactMean = weightedAverage(updates);
    updates.forEach((u, k) => {
      const exact = l2Distance(u.tensors, exactMean);
      expect(Math.abs(sketchDistance(sketches[k]!.sketch, mean) - exact) / exact).toBeLessThan(0.1);
    });
  });

  it('holds for smooth, structured tensors too (no lattice in the hash)', () => {
    const ramp = [Float32Array.from({ length: SIZE }, (_, i) => Math.sin(i / 50) + (i % 64) / 64)];
    const zero = [new Float32Array(SIZE)];
    const sketch = new CountSketch();

    const estimate = sketchDistance(sketch.sketch(ramp), Float64Array.from(sketch.sketch(zero)));

    const exact = l2Distance(ramp, zero);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.1);
  });

  it('gives ~0 for identical updates, whatever their weights', () => {
    const values = randomTensors(seeded(2), [SIZE], 0.01);
    const sketch = new CountSketch();
    const sketches = [1, 7, 300].map((weight) => ({ weight, sketch: sketch.sketch(values) }));

    const mean = meanSketch(sketches, sketch.buckets);

    for (const entry of sketches) expect(sketchDistance(entry.sketch, mean)).toBeLessThan(1e-9);
  });

  it('samples large models and still estimates distances within 10%, whatever the seed', () => {
    const random = seeded(5);
    const base = randomTensors(random, LENGTHS, 0.01);
    const far = base.map((tensor) => tensor.map((value, i) => value + (i % 3 === 0 ? 0.02 : -0.01)));
    for (const seed of [1, 2, 3]) {
      const sketch = new CountSketch(2048, { seed, maxCoordinates: 16_384 }); // 200,000 coordinates: 1 in 16 sampled

      const estimate = sketchDistance(sketch.sketch(far), Float64Array.from(sketch.sketch(base)));

      const exact = l2Distance(far, base);
      expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.1);
    }
  });

  it('hashes with its seed: two seeds give different sketches of the same update, one seed the same', () => {
    const values = randomTensors(seeded(9), [SIZE], 0.01);
    const [a, b, c] = [7, 8, 7].map((seed) => new CountSketch(2048, { seed }).sketch(values));

    expect(Array.from(a!)).toEqual(Array.from(c!));
    expect(Array.from(a!)).not.toEqual(Array.from(b!));
  });

  it('refuses a bucket count that is not a power of two', () => {
    expect(() => new CountSketch(1000)).toThrow(/power of two/);
  });
});
