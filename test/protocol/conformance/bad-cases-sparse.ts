/** Well-laid-out frames whose sparse or int8-channel bytes are refused (frame.md §6 check 21, §4.5–4.10). */
import { encodeFrame } from '@shoal/codec';
import { TINY_MODEL } from '@shoal/codec/testing';
import { specTensors } from './frame-cases-float.js';
import { tensor } from './frame-vectors.js';
import { tinyFrame, type BadCase } from './bad-frame-vectors.js';
import { editTensor, f32, u32 } from './raw-frame.js';

const nonFinite = 'NON_FINITE_VALUES' as const;
const malformed = 'FRAME_MALFORMED' as const;

/**
 * topk 0.05 of a 200-element `w` (k = 10, kept indices 3 10 50 51 90 120 150 170 180 199, each gap one byte) and a
 * 3-element `b` (k = 1). w takes 54 bytes of the 64 its maximum allows, so an edit that adds bytes reaches check 21.
 */
function sparseBase(): Uint8Array {
  const kept: Record<number, number> = { 3: 1, 10: -1, 50: 2, 51: -2, 90: 3, 120: -3, 150: 4, 170: -4, 180: 5, 199: -5 };
  const w = tensor('w', [200], Array.from({ length: 200 }, (_, index) => kept[index] ?? ((index % 5) - 2) / 100));
  return encodeFrame('delta', [w, tensor('b', [3], [0.5, -0.25, 0.125])], { id: 'topk', params: { fraction: 0.05 } });
}

const W_INDICES = 4; // w: k (4 bytes), then its 10 one-byte gaps, then 10 float32 values
const W_VALUES = W_INDICES + 10;

function value(name: string, description: string, code: BadCase['code'], bytes: Uint8Array): BadCase {
  return { name, description, check: 21, code, bytes };
}

function sparseCases(): BadCase[] {
  const base = sparseBase();
  const w = (edit: (bytes: number[]) => void) => editTensor(base, 0, edit);
  const b = (edit: (bytes: number[]) => void) => editTensor(base, 1, edit);
  const spec = encodeFrame('delta', specTensors(), { id: 'topk+qsgd', params: { fraction: 0.5, bits: 8 } });
  return [
    value('topk-kept-count-differs', 'w says k = 9; fraction 0.05 of 200 keeps 10', malformed, w((bytes) => bytes.splice(0, 4, ...u32(9)))),
    value('topk-kept-count-zero', 'b says k = 0; at least one entry is kept', malformed, b((bytes) => bytes.splice(0, 5, ...u32(0)))),
    value('topk-index-out-of-range', 'b keeps index 3 of 3 elements', malformed, b((bytes) => (bytes[4] = 3))),
    value('topk-repeated-index', 'the gap before w’s 4th index is 0: index 50 twice', malformed, w((bytes) => (bytes[W_INDICES + 3] = 0))),
    value('topk-varint-cut-short', 'w ends inside its third index: k = 10, gaps 3, 7, then 82 and nothing after', malformed, w((bytes) => bytes.splice(W_INDICES + 2, bytes.length, 0x82))),
    value('topk-overlong-varint', 'w’s first index 3 written 83 00: a superfluous final 00 group', malformed, w((bytes) => bytes.splice(W_INDICES, 1, 0x83, 0x00))),
    value('topk-varint-above-32-bits', 'w’s first index written ff ff ff ff 1f: the fifth byte is above 0f', malformed, w((bytes) => bytes.splice(W_INDICES, 1, 0xff, 0xff, 0xff, 0xff, 0x1f))),
    value('topk-value-section-too-long', 'one byte appended to w: 41 value bytes where 10 float32 take 40', malformed, w((bytes) => bytes.push(0))),
    value('topk-value-section-too-short', 'w’s last byte removed', malformed, w((bytes) => bytes.pop())),
    value('topk-fewer-than-4-bytes', 'b is 3 bytes: 01 00 00', malformed, b((bytes) => bytes.splice(0, bytes.length, 1, 0, 0))),
    value('topk-no-bytes', 'b has byteLength 0', malformed, b((bytes) => bytes.splice(0, bytes.length))),
    value('topk-nan-value', 'b’s kept value is NaN', nonFinite, b((bytes) => bytes.splice(5, 4, ...f32(Number.NaN)))),
    value('topk-infinite-value', 'w’s last kept value is -Infinity', nonFinite, w((bytes) => bytes.splice(W_VALUES + 36, 4, ...f32(-Infinity)))),
    value('randk-nan-value', 'randk 0.5: the scalar’s kept value is NaN', nonFinite, editTensor(tinyFrame('randk', { fraction: 0.5 }), 2, (bytes) => bytes.splice(5, 4, ...f32(Number.NaN)))),
    value('topk-qsgd-index-out-of-range', 'frame.md §7.3: the index byte of w = 02 (2 elements)', malformed, editTensor(spec, 0, (bytes) => (bytes[4] = 2))),
    value('topk-qsgd-nan-scale', 'frame.md §7.3: the qsgd scale of b = 00 00 c0 7f (NaN)', nonFinite, editTensor(spec, 1, (bytes) => bytes.splice(5, 4, 0x00, 0x00, 0xc0, 0x7f))),
    value(
      'topk-qsgd-padding-bits',
      'topk+qsgd 0.5 with 2 bits: tensor 0 keeps 3 codes (6 bits); padding bit 7 is set',
      malformed,
      editTensor(tinyFrame('topk+qsgd', { fraction: 0.5, bits: 2 }), 0, (bytes) => (bytes[bytes.length - 1]! |= 0x80)),
    ),
    value(
      'randk-qsgd-negative-scale',
      'randk+qsgd 0.7 with 8 bits: tensor 0 (k = 5) has qsgd scale -1',
      malformed,
      editTensor(tinyFrame('randk+qsgd', { fraction: 0.7, bits: 8 }), 0, (bytes) => bytes.splice(9, 4, ...f32(-1))),
    ),
  ];
}

/** tinyFrame('int8-channel'): tensor 0 [2, 3] has C = 3 (4 + 12 + 6 bytes), tensors 1 and 2 have C = 1. */
function int8ChannelCases(): BadCase[] {
  const edited = (index: number, edit: (bytes: number[]) => void) => editTensor(tinyFrame('int8-channel'), index, edit);
  const channels = (name: string, description: string, code: BadCase['code'], index: number, edit: (bytes: number[]) => void) =>
    value(`int8-channel-${name}`, description, code, edited(index, edit));
  const elements = TINY_MODEL[0]!.shape.reduce((product, dimension) => product * dimension, 1);
  return [
    channels('zero-channels', 'tensor 1 says C = 0', malformed, 1, (bytes) => bytes.splice(0, 4, ...u32(0))),
    channels('count-not-dividing', 'tensor 0 (6 elements) says C = 4', malformed, 0, (bytes) => bytes.splice(0, 4, ...u32(4))),
    channels('count-above-elements', `tensor 0 (${elements} elements) says C = 12 in 34 bytes, its maximum`, malformed, 0, (bytes) => {
      bytes.splice(0, bytes.length, ...u32(12), ...f32(...new Array<number>(6).fill(0.01)), 1, 2, 3, 4, 5, 6);
    }),
    channels('length-mismatch', 'tensor 0 says C = 2 (it divides 6) but carries 3 scales: 22 bytes where 18 are needed', malformed, 0, (bytes) => bytes.splice(0, 4, ...u32(2))),
    channels('fewer-than-4-bytes', 'tensor 2 is 3 bytes: 01 00 00', malformed, 2, (bytes) => bytes.splice(0, bytes.length, 1, 0, 0)),
    channels('nan-scale', 'the scale of tensor 2 is NaN', nonFinite, 2, (bytes) => bytes.splice(4, 4, ...f32(Number.NaN))),
    channels('infinite-scale', 'the scale of channel 1 of tensor 0 is +Infinity', nonFinite, 0, (bytes) => bytes.splice(8, 4, ...f32(Infinity))),
    channels('overflowing-scale', 'the scale of tensor 1 is 3e38: 127·s overflows', nonFinite, 1, (bytes) => bytes.splice(4, 4, ...f32(3e38))),
    channels('negative-scale', 'the scale of channel 2 of tensor 0 is -1', malformed, 0, (bytes) => bytes.splice(12, 4, ...f32(-1))),
    channels('level-minus-128', 'the byte 80 (-128) as the first level of tensor 0', malformed, 0, (bytes) => (bytes[16] = 0x80)),
  ];
}

export function sparseValueCases(): BadCase[] {
  return [...sparseCases(), ...int8ChannelCases()];
}
