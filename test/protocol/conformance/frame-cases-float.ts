/** Valid frames in the float codecs, float32 (§4.1) and float16 (§4.3): both kinds, special values, rounding ties, headers. */
import { TINY_MODEL } from '@shoal/codec/testing';
import { rawFrame } from './raw-frame.js';
import { seeded, tensor, type FrameCase } from './frame-vectors.js';

export const FLT_MAX = 3.4028234663852886e38;
export const MIN_SUBNORMAL = 2 ** -149;
export const MAX_SUBNORMAL = 2 ** -126 - 2 ** -149;
export const MIN_NORMAL = 2 ** -126;

const float32 = { id: 'float32', params: {} };
const float16 = { id: 'float16', params: {} };

/** frame.md §7: `w` [2] = [1.5, -2] and the scalar `b` = 0.25. */
export const specTensors = () => [tensor('w', [2], [1.5, -2]), tensor('b', [], [0.25])];

export function float32Cases(): FrameCase[] {
  const exact = { codec: float32, encoding: 'exact' as const, signedZeros: true };
  const specHeader = { codec: float32, tensors: [{ name: 'w', shape: [2], byteLength: 8 }, { name: 'b', shape: [], byteLength: 4 }] };
  const specPayload = [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x80, 0x3e];
  return [
    { ...exact, name: 'tiny-weights', description: 'a matrix, a vector and a scalar, kind weights', kind: 'weights', tensors: seeded(TINY_MODEL, 1) },
    { ...exact, name: 'tiny-delta', description: 'the same tensors with other values, kind delta', kind: 'delta', tensors: seeded(TINY_MODEL, 2, 0.01) },
    { ...exact, name: 'spec-example', description: 'frame.md §7.1, byte for byte', specExample: 'float32-weights', kind: 'weights', tensors: specTensors() },
    {
      ...exact,
      name: 'special-values',
      description: '0, -0, the smallest and largest subnormals, the smallest normal, ±the largest finite float32, 1, -1, 0.1, -1/3: kept bit for bit',
      kind: 'weights',
      tensors: [tensor('values', [12], [0, -0, MIN_SUBNORMAL, -MIN_SUBNORMAL, MAX_SUBNORMAL, MIN_NORMAL, FLT_MAX, -FLT_MAX, 1, -1, 0.1, -1 / 3])],
    },
    { ...exact, name: 'one-element', description: 'a one-element vector and a scalar holding -0', kind: 'delta', tensors: [tensor('x', [1], [42.5]), tensor('s', [], [-0])] },
    { ...exact, name: 'no-tensors', description: 'an empty tensor list: the payload is empty', kind: 'weights', tensors: [] },
    {
      ...exact,
      name: 'many-tensors',
      description: 'rank 4 and rank 8 (the most), non-ASCII names, and a 256-code-point name of 1024 UTF-8 bytes',
      kind: 'delta',
      tensors: seeded(
        [
          { name: 'conv/kernel', shape: [2, 2, 1, 2] },
          { name: 'é/ünïcødé/κ', shape: [3] },
          { name: '🐟'.repeat(256), shape: [1] },
          { name: 'rank8', shape: [1, 1, 1, 1, 1, 1, 2, 1] },
          { name: 'x', shape: [] },
        ],
        5,
      ),
    },
    {
      name: 'header-whitespace',
      description: 'the §7.1 frame with a header spread over lines with spaces, tabs and CR LF (decoders accept any JSON whitespace)',
      signedZeros: true,
      bytes: rawFrame({ kind: 1, header: JSON.stringify(specHeader, null, '\t').replace(/\n/g, '\r\n  '), payload: specPayload }),
    },
    {
      name: 'header-number-forms',
      description: 'header integers written 2e0, 8.0 and 4e0: JSON Schema integers, the same values as 2, 8 and 4 (only encoders must write 8)',
      signedZeros: true,
      bytes: rawFrame({
        kind: 1,
        header: '{"codec":{"id":"float32","params":{}},"tensors":[{"name":"w","shape":[2e0],"byteLength":8.0},{"name":"b","shape":[],"byteLength":4e0}]}',
        payload: specPayload,
      }),
    },
  ];
}

export function float16Cases(): FrameCase[] {
  const exact = { codec: float16, encoding: 'exact' as const, signedZeros: true };
  return [
    { ...exact, name: 'tiny-weights', description: 'a matrix, a vector and a scalar, kind weights', kind: 'weights', tensors: seeded(TINY_MODEL, 6) },
    { ...exact, name: 'tiny-delta', description: 'kind delta', kind: 'delta', tensors: seeded(TINY_MODEL, 7, 0.01) },
    {
      ...exact,
      name: 'rounding-ties',
      description: 'values halfway between two float16s round to the even one: 1+2^-11 → 1, 1+3·2^-11 → 1+2^-9, 2^-25 → 0, 3·2^-25 → 2^-23, 2049 → 2048, 2051 → 2052',
      kind: 'delta',
      tensors: [tensor('ties', [8], [1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 2 ** -11), 2 ** -25, 3 * 2 ** -25, -(2 ** -25), 2049, 2051])],
    },
    {
      ...exact,
      name: 'saturation',
      description: 'magnitudes above 65504 saturate to ±65504 (0x7bff), never Infinity: 65519, 65520, 1e6, ±the largest float32',
      kind: 'weights',
      tensors: [tensor('large', [8], [65504, 65519, 65520, 1e6, FLT_MAX, -FLT_MAX, -65520, 65505.5])],
    },
    {
      ...exact,
      name: 'subnormals',
      description: '0, -0 (0x8000), float16 subnormals 2^-24 … 2^-14 − 2^-24, and values below half of 2^-24 that become 0',
      kind: 'delta',
      tensors: [tensor('small', [10], [0, -0, 2 ** -24, -(2 ** -24), 2 ** -14, 2 ** -14 - 2 ** -24, 2 ** -26, MIN_SUBNORMAL, 1.5 * 2 ** -24, 2.5 * 2 ** -24])],
    },
    { ...exact, name: 'scalar', description: 'one scalar tensor', kind: 'weights', tensors: [tensor('s', [], [-2.5])] },
  ];
}
