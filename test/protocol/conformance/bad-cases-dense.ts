/** Well-laid-out frames whose dense-codec bytes are refused (frame.md §6 check 21, §4.1–4.4). */
import { encodeFrame } from '@shoal/codec';
import { specTensors } from './frame-cases-float.js';
import { largestInt8Scale } from './frame-cases-quantised.js';
import { tinyFrame, type BadCase } from './bad-frame-vectors.js';
import { editTensor, f32, f32Bits } from './raw-frame.js';

const nonFinite = 'NON_FINITE_VALUES' as const;
const malformed = 'FRAME_MALFORMED' as const;

/** The next float32 above a positive one. */
function nextUp(value: number): number {
  const bits = new Uint32Array(Float32Array.of(value).buffer);
  bits[0]! += 1;
  return new Float32Array(bits.buffer)[0]!;
}

/** A tiny-model frame in `id` with bytes `at`… of tensor `index` overwritten. */
function overwritten(id: string, params: Record<string, unknown>, index: number, at: number, bytes: number[]): Uint8Array {
  return editTensor(tinyFrame(id, params), index, (tensor) => tensor.splice(at, bytes.length, ...bytes));
}

function value(name: string, description: string, code: BadCase['code'], bytes: Uint8Array): BadCase {
  return { name, description, check: 21, code, bytes };
}

function floatCases(): BadCase[] {
  const spec = encodeFrame('weights', specTensors(), { id: 'float32' });
  const specNan = Uint8Array.from([...spec.subarray(0, spec.length - 4), 0x00, 0x00, 0xc0, 0x7f]);
  return [
    value('float32-nan', 'frame.md §7.4: the last 4 bytes of the §7.1 frame = 00 00 c0 7f (NaN)', nonFinite, specNan),
    value('float32-positive-infinity', '+Infinity (0x7f800000) at index 3 of tensor 0', nonFinite, overwritten('float32', {}, 0, 12, f32(Infinity))),
    value('float32-negative-infinity', '-Infinity in tensor 1', nonFinite, overwritten('float32', {}, 1, 4, f32(-Infinity))),
    value('float32-signalling-nan', 'the signalling NaN 0x7f800001 in tensor 2', nonFinite, overwritten('float32', {}, 2, 0, f32Bits(0x7f80_0001))),
    value('float32-negative-nan', 'the NaN 0xffc00000 in tensor 0', nonFinite, overwritten('float32', {}, 0, 0, f32Bits(0xffc0_0000))),
    value('float16-nan', 'float16 0x7e00 (NaN) in the last tensor', nonFinite, overwritten('float16', {}, 2, 0, [0x00, 0x7e])),
    value('float16-positive-infinity', 'float16 0x7c00 (+Infinity) in tensor 1', nonFinite, overwritten('float16', {}, 1, 2, [0x00, 0x7c])),
    value('float16-negative-infinity', 'float16 0xfc00 (-Infinity) in tensor 0', nonFinite, overwritten('float16', {}, 0, 10, [0x00, 0xfc])),
    value('float16-nan-payload', 'float16 0x7c01, the smallest NaN', nonFinite, overwritten('float16', {}, 0, 0, [0x01, 0x7c])),
  ];
}

function int8Cases(): BadCase[] {
  const scale = (name: string, description: string, code: BadCase['code'], index: number, scaleValue: number) =>
    value(name, description, code, overwritten('int8', {}, index, 0, f32(scaleValue)));
  return [
    scale('int8-nan-scale', 'int8 scale NaN in the last tensor', nonFinite, 2, Number.NaN),
    scale('int8-infinite-scale', 'int8 scale +Infinity', nonFinite, 0, Infinity),
    scale('int8-overflowing-scale', 'int8 scale 3e38: float32(127·s) is +Infinity', nonFinite, 1, 3e38),
    scale('int8-scale-one-above-largest', 'the float32 just above the largest int8 scale: 127·s overflows', nonFinite, 0, nextUp(largestInt8Scale())),
    scale('int8-negative-scale', 'int8 scale -0.5', malformed, 0, -0.5),
    scale('int8-smallest-negative-scale', 'int8 scale -2^-149 (negative, unlike -0)', malformed, 2, -(2 ** -149)),
    value('int8-level-minus-128', 'the byte 80 (-128) as a level of tensor 1', malformed, overwritten('int8', {}, 1, 5, [0x80])),
    value(
      'tensors-in-order-malformed-first',
      'tensor 0 has the level -128 and tensor 2 a NaN scale: tensors are checked in order',
      malformed,
      editTensor(overwritten('int8', {}, 0, 4, [0x80]), 2, (bytes) => bytes.splice(0, 4, ...f32(Number.NaN))),
    ),
    value(
      'tensors-in-order-non-finite-first',
      'tensor 0 has a NaN scale and tensor 1 the level -128',
      nonFinite,
      editTensor(overwritten('int8', {}, 0, 0, f32(Number.NaN)), 1, (bytes) => bytes.splice(4, 1, 0x80)),
    ),
  ];
}

function qsgdCases(): BadCase[] {
  const bits8 = { bits: 8 };
  return [
    value('qsgd-nan-scale', 'qsgd 8 bits: the scale of the last tensor is NaN', nonFinite, overwritten('qsgd', bits8, 2, 0, f32(Number.NaN))),
    value('qsgd-infinite-scale', 'qsgd 8 bits: a scale of -Infinity', nonFinite, overwritten('qsgd', bits8, 0, 0, f32(-Infinity))),
    value('qsgd-negative-scale', 'qsgd 8 bits: a scale of -1', malformed, overwritten('qsgd', bits8, 0, 0, f32(-1))),
    value('qsgd-negative-last-block-scale', 'qsgd 2 bits in blocks of 2: block 2 of tensor 0 has scale -0.25', malformed, overwritten('qsgd', { bits: 2, blockSize: 2 }, 0, 8, f32(-0.25))),
    value('qsgd-padding-bits-4', 'qsgd 4 bits: 3 codes leave 4 padding bits; they are set', malformed, editTensor(tinyFrame('qsgd', { bits: 4 }), 1, (bytes) => (bytes[5]! |= 0xf0))),
    value('qsgd-padding-bits-1', 'qsgd 1 bit: 3 codes leave 5 padding bits; the top one is set', malformed, editTensor(tinyFrame('qsgd', { bits: 1 }), 1, (bytes) => (bytes[4]! |= 0x80))),
    value('qsgd-padding-bits-2', 'qsgd 2 bits in blocks of 2: 6 codes leave 4 padding bits; bit 6 is set', malformed, editTensor(tinyFrame('qsgd', { bits: 2, blockSize: 2 }), 0, (bytes) => (bytes[13]! |= 0x40))),
  ];
}

export function denseValueCases(): BadCase[] {
  return [...floatCases(), ...int8Cases(), ...qsgdCases()];
}
