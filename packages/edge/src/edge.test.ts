import { describe, expect, it } from 'vitest';
import type { NamedTensor } from '@shoal/protocol';
import { pruneStructured, pruneUnstructured, sparsityOf } from './magnitude-pruning.js';
import { dequantize, quantizePerChannel, quantizedSizeBytes } from './per-channel-int8.js';
import { histogram, populationStabilityIndex } from './drift.js';
import { MicroBatcher } from './micro-batcher.js';
import { ModelSlot } from './model-slot.js';
import { LatencyTracker } from './latency-tracker.js';

const layer = (seed: number): NamedTensor[] => [
  { name: 'fc/kernel', shape: [20, 8], values: Float32Array.from({ length: 160 }, (_, i) => Math.sin(i * 1.3 + seed) * (1 + (i % 8))) },
  { name: 'fc/bias', shape: [8], values: Float32Array.from({ length: 8 }, (_, i) => i + 1) },
  { name: 'out/kernel', shape: [8, 3], values: Float32Array.from({ length: 24 }, (_, i) => Math.cos(i + seed)) },
  { name: 'out/bias', shape: [3], values: Float32Array.of(1, 2, 3) },
];

describe('pruning', () => {
  it('reaches the target sparsity on kernels, removes the smallest weights and keeps biases', () => {
    const pruned = pruneUnstructured(layer(1), 0.75);
    expect(sparsityOf(pruned)).toBeCloseTo(0.75, 2);
    expect(Array.from(pruned[1]!.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const kept = pruned.filter((t) => t.shape.length > 1).flatMap((t) => Array.from(t.values)).filter((v) => v !== 0).map(Math.abs);
    const removed = layer(1).filter((t) => t.shape.length > 1).flatMap((t, k) => Array.from(t.values).filter((_, i) => pruned.filter((p) => p.shape.length > 1)[k]!.values[i] === 0)).map(Math.abs);
    expect(Math.min(...kept)).toBeGreaterThanOrEqual(Math.max(...removed));
  });

  it('prunes whole units with the smallest norm (and their biases), never the output classes', () => {
    const pruned = pruneStructured(layer(2), 0.5);
    const kernel = pruned[0]!.values;
    const zeroUnits = Array.from({ length: 8 }, (_, u) => u).filter((u) => Array.from({ length: 20 }, (_, k) => kernel[k * 8 + u]).every((v) => v === 0));
    expect(zeroUnits).toHaveLength(4);
    for (const unit of zeroUnits) expect(pruned[1]!.values[unit]).toBe(0);
    expect(pruned[2]!.values.every((v) => v !== 0)).toBe(true);
  });
});

describe('per-channel int8', () => {
  it('round-trips within half a step of each channel scale and shrinks the model about 4x', () => {
    const tensors = layer(3);
    const quantized = quantizePerChannel(tensors);
    const restored = dequantize(quantized);
    tensors.forEach((tensor, t) => {
      const channels = tensor.shape.at(-1)!;
      tensor.values.forEach((value, i) => {
        const scale = quantized[t]!.scales?.[i % channels] ?? 0;
        expect(Math.abs(restored[t]!.values[i]! - value)).toBeLessThanOrEqual(scale / 2 + 1e-7);
      });
    });
    const floatBytes = tensors.reduce((n, t) => n + t.values.byteLength, 0);
    expect(quantizedSizeBytes(quantized) / floatBytes).toBeLessThan(0.35);
  });
});

describe('drift', () => {
  it('PSI is ~0 for the same distribution and large for a shifted one', () => {
    const reference = histogram(Float32Array.from({ length: 10_000 }, (_, i) => (i % 100) / 100), 10, 0, 1);
    const same = histogram(Float32Array.from({ length: 5_000 }, (_, i) => ((i * 7) % 100) / 100), 10, 0, 1);
    const inverted = histogram(Float32Array.from({ length: 5_000 }, (_, i) => 1 - ((i % 100) / 100) ** 3), 10, 0, 1);
    expect(populationStabilityIndex(reference, same)).toBeLessThan(0.01);
    expect(populationStabilityIndex(reference, inverted)).toBeGreaterThan(0.25);
  });
});

describe('serving helpers', () => {
  it('micro-batches up to maxBatch and flushes after maxWaitMs', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>((inputs) => {
      batches.push(inputs);
      return inputs.map((x) => x * 2);
    }, { maxBatch: 4, maxWaitMs: 5 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => batcher.submit(x)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([[1, 2, 3, 4], [5, 6]]);
  });

  it('swaps models without failing requests in flight, releasing the old one when idle', async () => {
    const released: string[] = [];
    const slot = new ModelSlot<string>((model) => released.push(model));
    slot.swap({ version: 'v1', model: 'model-1' });
    let finish!: () => void;
    const slow = slot.use(async (served) => {
      await new Promise<void>((r) => (finish = r));
      return served.version;
    });
    slot.swap({ version: 'v2', model: 'model-2' });
    expect(released).toEqual([]);
    expect(await slot.use((served) => served.version)).toBe('v2');
    finish();
    expect(await slow).toBe('v1');
    expect(released).toEqual(['model-1']);
  });

  it('reports latency percentiles', () => {
    const tracker = new LatencyTracker();
    for (let i = 1; i <= 100; i++) tracker.record(i);
    expect([tracker.percentile(50), tracker.percentile(99)]).toEqual([50, 99]);
  });
});
