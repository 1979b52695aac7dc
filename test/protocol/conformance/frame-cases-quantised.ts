/** Valid frames in the quantising codecs: int8 (§4.2), qsgd (§4.4) and int8-channel (§4.10). */
import { TINY_MODEL } from '@shoal/codec/testing';
import { FLT_MAX, MAX_SUBNORMAL, MIN_NORMAL, MIN_SUBNORMAL, specTensors } from './frame-cases-float.js';
import { seeded, tensor, type FrameCase } from './frame-vectors.js';
import { f32, rawFrame, u32 } from './raw-frame.js';

/** The largest float32 s whose float32(127·s) is finite: the largest scale an int8 decoder accepts. */
export function largestInt8Scale(): number {
  const bits = new Uint32Array(1);
  const float = new Float32Array(bits.buffer);
  float[0] = FLT_MAX / 127;
  while (!Number.isFinite(Math.fround(float[0]! * 127))) bits[0]! -= 1;
  return float[0]!;
}

function oneTensorFrame(id: string, params: Record<string, unknown>, kind: number, name: string, shape: number[], payload: number[]): Uint8Array {
  return rawFrame({ kind, header: { codec: { id, params }, tensors: [{ name, shape, byteLength: payload.length }] }, payload });
}

export function int8Cases(): FrameCase[] {
  const reference = { codec: { id: 'int8', params: {} }, encoding: 'reference' as const, signedZeros: true };
  return [
    { ...reference, name: 'tiny-weights', description: 'a matrix, a vector and a scalar, kind weights', kind: 'weights', tensors: seeded(TINY_MODEL, 11) },
    { ...reference, name: 'tiny-delta', description: 'kind delta', kind: 'delta', tensors: seeded(TINY_MODEL, 12, 0.01) },
    { ...reference, name: 'spec-example', description: 'frame.md §7.2, byte for byte (scales rounded up)', specExample: 'int8-delta', kind: 'delta', tensors: specTensors() },
    { ...reference, name: 'zeros', description: 'all zeros (one -0): scale 0, every level 0, decoded +0', kind: 'delta', tensors: [tensor('z', [4], [0, -0, 0, 0])] },
    {
      ...reference,
      name: 'rounding-ties',
      description: 'scale exactly 1 (max 127), so x/s is x: the reference rounds halves towards +∞ (0.5 → 1, -0.5 → 0, -1.5 → -1, 126.5 → 127, -126.5 → -126)',
      kind: 'delta',
      tensors: [tensor('ties', [10], [127, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, -127, 126.5, -126.5])],
    },
    {
      ...reference,
      name: 'extremes',
      description: '±the largest float32: the scale is stepped down until 127·s is finite, so the largest values decode just below it',
      kind: 'weights',
      tensors: [tensor('large', [4], [FLT_MAX, -FLT_MAX, 1e30, 0])],
    },
    {
      ...reference,
      name: 'subnormals',
      description: 'max |x| = 2^-149: m/127 rounds to 0, so the scale is rounded up to 2^-149 and nothing is clipped',
      kind: 'delta',
      tensors: [tensor('tiny', [3], [MIN_SUBNORMAL, -MIN_SUBNORMAL, 0]), tensor('small', [2], [MAX_SUBNORMAL, -MIN_NORMAL / 2])],
    },
    { ...reference, name: 'one-element', description: 'a one-element vector and a scalar', kind: 'weights', tensors: [tensor('x', [1], [-0.3]), tensor('s', [], [7])] },
    {
      name: 'negative-zero-scale',
      description: 'scale -0, which decoders accept as 0: every value decodes to zero (levels 5, -3, 0)',
      signedZeros: false,
      bytes: oneTensorFrame('int8', {}, 2, 'w', [3], [...f32(-0), 5, 0xfd, 0]),
    },
    {
      name: 'largest-scale',
      description: 'the largest scale whose 127·s is finite, with levels 127, -127, 1',
      signedZeros: true,
      bytes: oneTensorFrame('int8', {}, 1, 'w', [3], [...f32(largestInt8Scale()), 127, 0x81, 1]),
    },
  ];
}

export function qsgdCases(): FrameCase[] {
  const stochastic = (bits: number, blockSize?: number) => ({
    codec: { id: 'qsgd', params: blockSize === undefined ? { bits } : { bits, blockSize } },
    encoding: 'stochastic' as const,
    signedZeros: false,
  });
  return [
    { ...stochastic(8), name: 'bits8-tiny-weights', description: '8 bits, one block per tensor, kind weights', kind: 'weights', tensors: seeded(TINY_MODEL, 21), seed: 121 },
    { ...stochastic(8), name: 'bits8-tiny-delta', description: '8 bits, one block per tensor, kind delta', kind: 'delta', tensors: seeded(TINY_MODEL, 22, 0.01), seed: 122 },
    {
      ...stochastic(4, 4),
      name: 'bits4-blocks',
      description: '4 bits in blocks of 4: 10 values make blocks of 4, 4 and 2; the 3-value tensor leaves 4 padding bits',
      kind: 'delta',
      tensors: seeded([{ name: 'w', shape: [2, 5] }, { name: 'b', shape: [3] }], 23),
      seed: 123,
    },
    {
      ...stochastic(2, 3),
      name: 'bits2-zero-block',
      description: '2 bits in blocks of 3: an all-zero block (scale 0) and a short last block',
      kind: 'weights',
      tensors: [tensor('w', [7], [0, 0, 0, 1, -2, 0.5, 0.25])],
      seed: 124,
    },
    { ...stochastic(1), name: 'bits1', description: '1 bit (levels ±s), 5 values: 3 padding bits', kind: 'delta', tensors: seeded([{ name: 'w', shape: [5] }], 25), seed: 125 },
    {
      ...stochastic(8, 256),
      name: 'bits8-block256',
      description: '8 bits in blocks of 256: 300 values make blocks of 256 and 44',
      kind: 'delta',
      tensors: seeded([{ name: 'w', shape: [300] }], 26, 0.1),
      seed: 126,
    },
    {
      ...stochastic(2),
      encoding: 'exact',
      name: 'on-levels',
      description: '2 bits, scale 3: every value is one of the levels -3, -1, 1, 3, so no random draw changes a code',
      kind: 'delta',
      tensors: [tensor('w', [5], [3, -3, 1, -1, 3])],
    },
    {
      ...stochastic(4, 1),
      name: 'one-element',
      description: '4 bits in blocks of 1: a one-element vector and a scalar 0 (scale 0)',
      kind: 'weights',
      tensors: [tensor('x', [1], [-0.7]), tensor('s', [], [0])],
      seed: 127,
    },
    {
      name: 'negative-zero-scale',
      description: '8 bits, scale -0 (accepted as 0), codes 0 and 255: both values decode to zero',
      signedZeros: false,
      bytes: oneTensorFrame('qsgd', { bits: 8 }, 2, 'w', [2], [...f32(-0), 0, 255]),
    },
  ];
}

export function int8ChannelCases(): FrameCase[] {
  const reference = { codec: { id: 'int8-channel', params: {} }, encoding: 'reference' as const, signedZeros: true, kind: 'weights' as const };
  const pruned = seeded([{ name: 'conv/kernel', shape: [2, 2, 1, 3] }, { name: 'conv/bias', shape: [3] }], 31);
  pruned[0]!.values.forEach((_, index, values) => {
    if (index % 3 === 1) values[index] = 0; // channel 1 pruned away entirely
  });
  pruned[0]!.values[0] = -0;
  pruned[0]!.values[5] = 0;
  return [
    { ...reference, name: 'tiny-weights', description: 'kernel [2, 3] as 3 channels; the bias and the scalar as 1 channel each', tensors: seeded(TINY_MODEL, 32) },
    { ...reference, name: 'conv-pruned', description: 'a [2, 2, 1, 3] kernel (3 channels) with channel 1 all zeros (scale 0) and pruned zeros, one -0: all decode to +0', tensors: pruned },
    {
      name: 'two-channels',
      description: 'a [2, 3] tensor sent with C = 2 (not its last axis): value i uses scale i mod 2',
      signedZeros: true,
      bytes: oneTensorFrame('int8-channel', {}, 1, 'kernel', [2, 3], [...u32(2), ...f32(0.5, 0.01), 1, 2, 3, 0x81, 0xff, 100]),
    },
    {
      name: 'channel-per-value',
      description: 'a [2, 3] tensor with C = n = 6, the most channels allowed: a scale per value, one of them 0',
      signedZeros: true,
      bytes: oneTensorFrame('int8-channel', {}, 1, 'kernel', [2, 3], [...u32(6), ...f32(0.5, 1, 0, 0.25, 2, 0.125), 127, 0x81, 0, 3, 0xff, 100]),
    },
  ];
}
