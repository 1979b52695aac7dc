/** Test support: invalid frames in the float16, qsgd and sparse codecs, each with the code every decoder must answer. */
import type { BadFrame } from './bad-frame.js';
import { DEFAULT_CODECS } from '../default-codecs.js';
import { encodeFrame } from '../encode-frame.js';
import { float32Bytes, rawFrame } from './raw-frame.js';
import { createRandom } from './random.js';
import { TINY_MODEL, tensorsFor } from './sample-model.js';

type Params = Record<string, unknown>;

const u32 = (value: number): number[] => Array.from(new Uint8Array(Uint32Array.of(value).buffer));

/** A delta frame of TINY_MODEL (6, 3 and 1 elements) whose header names `id`/`params` and whose tensors hold `payloads`. */
function frameOf(id: string, params: Params, payloads: ArrayLike<number>[]): Uint8Array {
  const tensors = TINY_MODEL.map((spec, index) => ({ name: spec.name, shape: [...spec.shape], byteLength: payloads[index]!.length }));
  const payload = Uint8Array.from(payloads.flatMap((bytes) => Array.from(bytes)));
  return rawFrame({ kind: 2, header: { codec: { id, params }, tensors }, payload });
}

/** The three tensors of TINY_MODEL encoded with a seeded source, as byte lists to edit. */
function encodedTensors(id: string, params: Params): number[][] {
  const codec = DEFAULT_CODECS.find((candidate) => candidate.id === id)!;
  const random = createRandom(17);
  return tensorsFor(TINY_MODEL, 5).map((tensor) => Array.from(codec.encode(tensor.values, params, random.next, tensor.shape)));
}

function edited(id: string, params: Params, edit: (payloads: number[][]) => void): Uint8Array {
  const payloads = encodedTensors(id, params);
  edit(payloads);
  return frameOf(id, params, payloads);
}

const decodeStage = (label: string, bytes: Uint8Array, code: BadFrame['code']): BadFrame => ({ label, bytes, code, stage: 'decode' });
const headerStage = (label: string, bytes: Uint8Array, code: BadFrame['code'] = 'FRAME_MALFORMED'): BadFrame => ({
  label,
  bytes,
  code,
  stage: 'header',
  headerMatchesSchema: true,
});

function valueCases(): BadFrame[] {
  const half = { fraction: 0.5 };
  const qsgd8 = { bits: 8 };
  const nan = Array.from(float32Bytes(Number.NaN));
  return [
    decodeStage('float16 NaN in the last tensor', edited('float16', {}, (p) => (p[2] = [0x00, 0x7e])), 'NON_FINITE_VALUES'),
    decodeStage('float16 +Infinity', edited('float16', {}, (p) => (p[1]![1] = 0x7c)), 'NON_FINITE_VALUES'),
    decodeStage('qsgd NaN scale in the last tensor', edited('qsgd', qsgd8, (p) => p[2]!.splice(0, 4, ...nan)), 'NON_FINITE_VALUES'),
    decodeStage('qsgd negative scale', edited('qsgd', qsgd8, (p) => p[0]!.splice(0, 4, ...float32Bytes(-1))), 'FRAME_MALFORMED'),
    decodeStage('qsgd padding bits set', edited('qsgd', { bits: 4 }, (p) => (p[1]![5]! |= 0xf0)), 'FRAME_MALFORMED'),
    decodeStage('topk index out of range', edited('topk', half, (p) => (p[2]![4] = 1)), 'FRAME_MALFORMED'),
    decodeStage('topk repeated index', edited('topk', half, (p) => (p[0]!.splice(4, 3, 1, 0, 2))), 'FRAME_MALFORMED'),
    decodeStage('topk index varint cut short', edited('topk', half, (p) => (p[0] = [...u32(3), 1, 0x82])), 'FRAME_MALFORMED'),
    decodeStage('topk kept count not the fraction’s', edited('topk', half, (p) => p[1]!.splice(0, 4, ...u32(1))), 'FRAME_MALFORMED'),
    decodeStage('topk NaN kept value', edited('topk', half, (p) => p[2]!.splice(5, 4, ...nan)), 'NON_FINITE_VALUES'),
    decodeStage('topk+qsgd NaN scale of the kept values', edited('topk+qsgd', { ...half, ...qsgd8 }, (p) => p[2]!.splice(5, 4, ...nan)), 'NON_FINITE_VALUES'),
    ...int8ChannelCases(nan),
  ];
}

/** dense/kernel [2, 3] is encoded as 3 channels: count, 3 scales, 6 levels; the other two tensors as one channel. */
function int8ChannelCases(nan: number[]): BadFrame[] {
  const channelEdit = (label: string, edit: (payloads: number[][]) => void, code: BadFrame['code'] = 'FRAME_MALFORMED') =>
    decodeStage(`int8-channel ${label}`, edited('int8-channel', {}, edit), code);
  return [
    channelEdit('NaN scale in the last tensor', (p) => p[2]!.splice(4, 4, ...nan), 'NON_FINITE_VALUES'),
    channelEdit('negative scale of the third channel', (p) => p[0]!.splice(12, 4, ...float32Bytes(-1))),
    channelEdit('level -128', (p) => (p[0]![16] = 0x80)),
    channelEdit('channel count that does not divide the elements', (p) => p[0]!.splice(0, 4, ...u32(4))),
    channelEdit('channel count 0', (p) => p[1]!.splice(0, 4, ...u32(0))),
    channelEdit('channel count whose scales do not fit the byte length', (p) => p[0]!.splice(0, 4, ...u32(2))),
  ];
}

function headerCases(): BadFrame[] {
  const eightBitPayloads = encodedTensors('qsgd', { bits: 8 });
  const huge = { name: 'fc1/kernel', shape: [65_536, 32_768], byteLength: 64 };
  return [
    headerStage('qsgd bit-width mismatch: 8-bit codes under bits 4', frameOf('qsgd', { bits: 4 }, eightBitPayloads)),
    headerStage('qsgd bits 3', frameOf('qsgd', { bits: 3 }, eightBitPayloads)),
    headerStage('topk fraction 0', frameOf('topk', { fraction: 0 }, encodedTensors('topk', { fraction: 0.5 }))),
    // Small tensors leave no slack: an overlong varint or a stray byte already exceeds the codec's maximum size.
    headerStage('topk overlong index varint', edited('topk', { fraction: 0.5 }, (p) => p[2]!.splice(4, 1, 0x80, 0x00))),
    headerStage('randk trailing byte inside a tensor', edited('randk', { fraction: 0.5 }, (p) => p[1]!.push(0))),
    headerStage('int8-channel byteLength beyond the codec maximum', frameOf('int8-channel', {}, [new Uint8Array(35), new Uint8Array(11), new Uint8Array(9)])),
    headerStage('topk byteLength beyond the codec maximum', frameOf('topk', { fraction: 0.5 }, [new Uint8Array(40), new Uint8Array(9), new Uint8Array(9)])),
    headerStage(
      'topk frame claiming 2^31 elements',
      rawFrame({ kind: 2, header: { codec: { id: 'topk', params: { fraction: 0.01 } }, tensors: [huge] }, payload: new Uint8Array(64) }),
      'PAYLOAD_TOO_LARGE',
    ),
  ];
}

/** Each new codec's valid frame cut at every length (including after the prefix and inside the header). */
function truncations(): BadFrame[] {
  const selections: Array<[string, Params]> = [['float16', {}], ['qsgd', { bits: 2, blockSize: 2 }], ['topk', { fraction: 0.5 }], ['randk+qsgd', { fraction: 0.7, bits: 8 }], ['int8-channel', {}]];
  return selections.flatMap(([id, params]) => {
    const valid = encodeFrame('delta', tensorsFor(TINY_MODEL), { id, params }, undefined, createRandom(3).next);
    return Array.from({ length: valid.length }, (_, length) => ({
      label: `${id} frame truncated to ${length} of ${valid.length} bytes`,
      bytes: valid.slice(0, length),
      code: 'FRAME_MALFORMED' as const,
      stage: 'header' as const,
    }));
  });
}

export function badCodecFrames(): BadFrame[] {
  return [...headerCases(), ...valueCases(), ...truncations()];
}
