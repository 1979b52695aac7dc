/** Valid frames in the sparse codecs (§4.5–4.8): kept counts, ties, multi-byte index gaps and the quantised compositions. */
import { TINY_MODEL } from '@shoal/codec/testing';
import { specTensors } from './frame-cases-float.js';
import { seeded, tensor, type FrameCase } from './frame-vectors.js';

/** `count` small values with large ones at the given indices, so top-k keeps exactly those. */
function spikes(count: number, at: Record<number, number>): number[] {
  return Array.from({ length: count }, (_, index) => at[index] ?? ((index % 7) - 3) / 1000);
}

export function topkCases(): FrameCase[] {
  const exact = (fraction: number) => ({ codec: { id: 'topk', params: { fraction } }, encoding: 'exact' as const, signedZeros: false, kind: 'delta' as const });
  return [
    { ...exact(0.5), name: 'half-tiny', description: 'fraction 0.5: k = 3, 2 and 1 for 6, 3 and 1 elements', tensors: seeded(TINY_MODEL, 41) },
    {
      ...exact(0.4),
      name: 'magnitude-ties',
      description: 'fraction 0.4 of 5: k = 2 among four entries of magnitude 1; the lower indices (0, 1) are kept',
      tensors: [tensor('w', [5], [1, -1, 1, 0.5, -1])],
    },
    {
      ...exact(0.07),
      name: 'k-in-double',
      description: 'fraction 0.07 of 100: 0.07 · 100 is 7.000000000000001 in double arithmetic, so k = 8, not 7',
      tensors: [tensor('w', [100], spikes(100, { 2: 5, 11: -6, 17: 7, 29: -8, 40: 9, 63: -10, 77: 11, 99: -12 }))],
    },
    { ...exact(1), name: 'all-kept', description: 'fraction 1: every entry is kept, zeros included', tensors: [tensor('w', [4], [0, -0, 2, 0])] },
    {
      ...exact(0.01),
      name: 'long-gaps',
      description: 'fraction 0.01 of 300: k = 3 at indices 5, 200, 299; the gap 195 takes a two-byte varint (c3 01)',
      tensors: [tensor('w', [300], spikes(300, { 5: 1.5, 200: -2.25, 299: 3 }))],
    },
    { ...exact(0.01), name: 'one-element', description: 'k = 1 for a one-element vector and for a scalar', tensors: [tensor('x', [1], [-4]), tensor('s', [], [0.5])] },
  ];
}

export function randkCases(): FrameCase[] {
  const stochastic = (fraction: number) => ({ codec: { id: 'randk', params: { fraction } }, encoding: 'stochastic' as const, signedZeros: false, kind: 'delta' as const });
  return [
    { ...stochastic(0.5), name: 'half-tiny', description: 'fraction 0.5: kept values scaled by n/k (2, 1.5, 1)', tensors: seeded(TINY_MODEL, 51), seed: 151 },
    { ...stochastic(0.25), name: 'quarter', description: 'fraction 0.25 of 20: k = 5, kept values × 4', tensors: seeded([{ name: 'w', shape: [4, 5] }], 52), seed: 152 },
    {
      ...stochastic(1),
      encoding: 'exact',
      name: 'all-kept',
      description: 'fraction 1: every entry kept and scaled by n/k = 1, whatever the draws',
      tensors: seeded([{ name: 'w', shape: [6] }], 53),
      seed: 153,
    },
    { ...stochastic(0.02), name: 'long-gaps', description: 'fraction 0.02 of 300: k = 6, gaps of two-byte varints', tensors: seeded([{ name: 'w', shape: [300] }], 54), seed: 154 },
  ];
}

export function topkQsgdCases(): FrameCase[] {
  const codec = (params: Record<string, unknown>) => ({ codec: { id: 'topk+qsgd', params }, signedZeros: false, kind: 'delta' as const });
  return [
    {
      ...codec({ fraction: 0.5, bits: 8 }),
      encoding: 'exact',
      name: 'spec-example',
      description: 'frame.md §7.3, byte for byte: both kept values sit on a level, so no draw changes them',
      specExample: 'topk-qsgd-delta',
      tensors: specTensors(),
    },
    { ...codec({ fraction: 0.5, bits: 8 }), encoding: 'stochastic', name: 'half-tiny', description: 'fraction 0.5, 8 bits', tensors: seeded(TINY_MODEL, 61), seed: 161 },
    {
      ...codec({ fraction: 0.1, bits: 2, blockSize: 2 }),
      encoding: 'stochastic',
      name: 'bits2-blocks',
      description: 'fraction 0.1 of 40: k = 4 kept values in qsgd blocks of 2 (blocks counted over the kept values)',
      tensors: [tensor('w', [40], spikes(40, { 3: 0.5, 4: -0.25, 20: 1, 39: -0.75 }))],
      seed: 162,
    },
  ];
}

export function randkQsgdCases(): FrameCase[] {
  const codec = (params: Record<string, unknown>) => ({ codec: { id: 'randk+qsgd', params }, encoding: 'stochastic' as const, signedZeros: false, kind: 'delta' as const });
  return [
    { ...codec({ fraction: 0.7, bits: 8 }), name: 'tiny', description: 'fraction 0.7, 8 bits: k = 5, 3 and 1', tensors: seeded(TINY_MODEL, 71), seed: 171 },
    {
      ...codec({ fraction: 0.25, bits: 4, blockSize: 3 }),
      name: 'bits4-blocks',
      description: 'fraction 0.25 of 24: k = 6 kept values (× 4) in 4-bit qsgd blocks of 3',
      tensors: seeded([{ name: 'w', shape: [24] }], 72),
      seed: 172,
    },
  ];
}
