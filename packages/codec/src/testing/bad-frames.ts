/** Test support: a catalogue of invalid frames, each with the error code every decoder must answer. */
import type { ErrorCode } from '@shoal/protocol';
import { encodeFrame } from '../encode-frame.js';
import type { DecodeFrameOptions } from '../decode-frame.js';
import { badCodecFrames } from './bad-codec-frames.js';
import type { BadFrame } from './bad-frame.js';
import { float32Bytes, rawFrame, splitFrame } from './raw-frame.js';
import { TINY_MODEL, tensorsFor } from './sample-model.js';

export type { BadFrame } from './bad-frame.js';

export const validFloat32Frame = (): Uint8Array => encodeFrame('delta', tensorsFor(TINY_MODEL), { id: 'float32' });
export const validInt8Frame = (): Uint8Array => encodeFrame('delta', tensorsFor(TINY_MODEL), { id: 'int8' });

interface WireTensor {
  name: unknown;
  shape: unknown;
  byteLength: unknown;
}

function tinyHeader(): { codec: { id: string; params: Record<string, unknown> }; tensors: WireTensor[] } {
  return {
    codec: { id: 'float32', params: {} },
    tensors: [
      { name: 'dense/kernel', shape: [2, 3], byteLength: 24 },
      { name: 'dense/bias', shape: [3], byteLength: 12 },
      { name: 'temperature', shape: [], byteLength: 4 },
    ],
  };
}

const tinyPayload = (): Uint8Array => splitFrame(validFloat32Frame()).payload;

/** A float32 frame of the tiny model whose header went through `edit`; the payload is unchanged. */
function editedHeader(edit: (header: ReturnType<typeof tinyHeader>) => unknown): Uint8Array {
  return rawFrame({ kind: 2, header: edit(tinyHeader()), payload: tinyPayload() });
}

function editedTensor(index: number, edit: (tensor: WireTensor) => void): Uint8Array {
  return editedHeader((header) => {
    edit(header.tensors[index]!);
    return header;
  });
}

function headerCases(): BadFrame[] {
  const malformed = (label: string, bytes: Uint8Array): BadFrame => ({ label, bytes, code: 'FRAME_MALFORMED', stage: 'header' });
  // Header JSON the schema refuses, and header JSON it accepts that a rule beyond the schema refuses.
  const structural = (label: string, bytes: Uint8Array): BadFrame => ({ ...malformed(label, bytes), headerMatchesSchema: false });
  const beyondSchema = (label: string, bytes: Uint8Array, code: ErrorCode = 'FRAME_MALFORMED'): BadFrame => ({
    ...malformed(label, bytes),
    code,
    headerMatchesSchema: true,
  });
  const valid = validFloat32Frame();
  const withByte = (offset: number, value: number): Uint8Array => {
    const copy = valid.slice();
    copy[offset] = value;
    return copy;
  };
  const withHeaderLength = (length: number): Uint8Array => {
    const copy = valid.slice();
    new DataView(copy.buffer).setUint32(8, length, true);
    return copy;
  };
  const realHeaderLength = new DataView(valid.buffer).getUint32(8, true);
  const huge = { name: 'fc1/kernel', shape: [65_536, 32_768], byteLength: 2 ** 33 };
  return [
    malformed('bad magic', withByte(3, 0x58)),
    malformed('version 0', withByte(4, 0)),
    malformed('version 2', withByte(4, 2)),
    malformed('kind 0', withByte(5, 0)),
    malformed('kind 3', withByte(5, 3)),
    malformed('reserved low byte set', withByte(6, 1)),
    malformed('reserved high byte set', withByte(7, 1)),
    malformed('header length 0', withHeaderLength(0)),
    malformed('header length above the format cap', withHeaderLength(65_537)),
    malformed('header length 0xffffffff', withHeaderLength(0xffff_ffff)),
    malformed('header length beyond the buffer', withHeaderLength(valid.length)),
    malformed('header length cutting the JSON short', withHeaderLength(realHeaderLength - 1)),
    malformed('non-JSON header', rawFrame({ header: 'hello, frame' })),
    malformed('invalid UTF-8 header', rawFrame({ header: Uint8Array.of(0x7b, 0xff, 0x7d) })),
    malformed('header with a byte order mark', rawFrame({ header: `\ufeff${JSON.stringify(tinyHeader())}`, payload: tinyPayload() })),
    structural('header is an array', editedHeader((header) => [header])),
    structural('header is null', editedHeader(() => null)),
    structural('extra top-level key', editedHeader((header) => ({ ...header, round: 3 }))),
    structural('missing codec', editedHeader((header) => ({ tensors: header.tensors }))),
    structural('missing tensors', editedHeader((header) => ({ codec: header.codec }))),
    structural('codec without params', editedHeader((header) => ({ ...header, codec: { id: 'float32' } }))),
    structural('codec with an extra key', editedHeader((header) => ({ ...header, codec: { ...header.codec, bits: 8 } }))),
    structural('codec id not a string', editedHeader((header) => ({ ...header, codec: { id: 7, params: {} } }))),
    structural('codec params an array', editedHeader((header) => ({ ...header, codec: { id: 'float32', params: [] } }))),
    beyondSchema('codec params unknown to the codec', editedHeader((header) => ({ ...header, codec: { id: 'float32', params: { bits: 16 } } }))),
    structural('tensors not an array', editedHeader((header) => ({ ...header, tensors: {} }))),
    structural('tensor with an extra key', editedTensor(0, (tensor) => Object.assign(tensor, { dtype: 'float32' }))),
    structural('tensor missing byteLength', editedHeader((header) => ({ ...header, tensors: [{ name: 'dense/kernel', shape: [2, 3] }] }))),
    structural('tensor named ""', editedTensor(0, (tensor) => (tensor.name = ''))),
    structural('tensor name not a string', editedTensor(0, (tensor) => (tensor.name = 12))),
    structural('tensor name of 257 characters', editedTensor(0, (tensor) => (tensor.name = 'x'.repeat(257)))),
    beyondSchema('duplicate tensor names', editedTensor(1, (tensor) => (tensor.name = 'dense/kernel'))),
    structural('shape not an array', editedTensor(0, (tensor) => (tensor.shape = 6))),
    structural('negative dimension', editedTensor(0, (tensor) => (tensor.shape = [-2, -3]))),
    structural('zero dimension', editedTensor(0, (tensor) => (tensor.shape = [0, 3]))),
    structural('non-integer dimension', editedTensor(0, (tensor) => (tensor.shape = [1.5, 4]))),
    structural('dimension as a string', editedTensor(0, (tensor) => (tensor.shape = ['2', 3]))),
    structural('nine dimensions', editedTensor(0, (tensor) => (tensor.shape = [1, 1, 1, 1, 1, 1, 2, 3, 1]))),
    structural('byteLength negative', editedTensor(0, (tensor) => (tensor.byteLength = -24))),
    structural('byteLength not an integer', editedTensor(0, (tensor) => (tensor.byteLength = 23.5))),
    structural('byteLength a string', editedTensor(0, (tensor) => (tensor.byteLength = '24'))),
    structural('byteLength beyond 2^53', editedTensor(0, (tensor) => (tensor.byteLength = 2 ** 60))),
    beyondSchema('byteLength inconsistent with the codec', editedHeader((header) => {
      header.tensors[0]!.byteLength = 28;
      header.tensors[1]!.byteLength = 8;
      return header;
    })),
    beyondSchema('trailing bytes', rawFrame({ kind: 2, header: tinyHeader(), payload: Uint8Array.from([...tinyPayload(), 0]) })),
    beyondSchema('payload one byte short', rawFrame({ kind: 2, header: tinyHeader(), payload: tinyPayload().subarray(1) })),
    beyondSchema('unknown codec', editedHeader((header) => ({ ...header, codec: { id: 'top-k', params: {} } })), 'UNKNOWN_CODEC'),
    beyondSchema('2^31 elements claimed', editedHeader((header) => ({ ...header, tensors: [huge] })), 'PAYLOAD_TOO_LARGE'),
    { label: 'too many tensors for the limit', bytes: valid, code: 'PAYLOAD_TOO_LARGE', stage: 'header', options: { limits: { maxTensors: 2 } } },
    { label: 'too many elements in total', bytes: valid, code: 'PAYLOAD_TOO_LARGE', stage: 'header', options: { limits: { maxElements: 9 } } },
    { label: 'frame above maxFrameBytes', bytes: valid, code: 'PAYLOAD_TOO_LARGE', stage: 'header', options: { limits: { maxFrameBytes: valid.length - 1 } } },
    { label: 'header above maxHeaderBytes', bytes: valid, code: 'PAYLOAD_TOO_LARGE', stage: 'header', options: { limits: { maxHeaderBytes: 16 } } },
  ];
}

function truncations(): BadFrame[] {
  const valid = validInt8Frame();
  return Array.from({ length: valid.length }, (_, length) => ({
    label: `int8 frame truncated to ${length} of ${valid.length} bytes`,
    bytes: valid.slice(0, length),
    code: 'FRAME_MALFORMED' as const,
    stage: 'header' as const,
  }));
}

function int8Frame(scale: number, lastLevel = 1): Uint8Array {
  const header = {
    codec: { id: 'int8', params: {} },
    tensors: [
      { name: 'dense/kernel', shape: [2, 3], byteLength: 10 },
      { name: 'dense/bias', shape: [3], byteLength: 7 },
      { name: 'temperature', shape: [], byteLength: 5 },
    ],
  };
  const goodScale = float32Bytes(0.01);
  const payload = Uint8Array.from([
    ...goodScale, 1, 2, 3, 4, 5, 6,
    ...goodScale, 7, 8, 9,
    ...float32Bytes(scale), lastLevel & 0xff,
  ]);
  return rawFrame({ kind: 2, header, payload });
}

function valueCases(): BadFrame[] {
  const float32WithLast = (value: number): Uint8Array => {
    const payload = tinyPayload();
    payload.set(float32Bytes(value), payload.length - 4);
    return rawFrame({ kind: 2, header: tinyHeader(), payload });
  };
  const expectDelta = { expected: TINY_MODEL };
  return [
    { label: 'NaN in the last float32 tensor', bytes: float32WithLast(Number.NaN), code: 'NON_FINITE_VALUES', stage: 'decode' },
    { label: '+Infinity in the last float32 tensor', bytes: float32WithLast(Number.POSITIVE_INFINITY), code: 'NON_FINITE_VALUES', stage: 'decode' },
    { label: 'NaN int8 scale in the last tensor', bytes: int8Frame(Number.NaN), code: 'NON_FINITE_VALUES', stage: 'decode' },
    { label: 'infinite int8 scale', bytes: int8Frame(Number.NEGATIVE_INFINITY), code: 'NON_FINITE_VALUES', stage: 'decode' },
    { label: 'int8 scale overflowing 127·s', bytes: int8Frame(3e38), code: 'NON_FINITE_VALUES', stage: 'decode' },
    { label: 'negative int8 scale', bytes: int8Frame(-0.5), code: 'FRAME_MALFORMED', stage: 'decode' },
    { label: 'int8 level -128', bytes: int8Frame(0.5, -128), code: 'FRAME_MALFORMED', stage: 'decode' },
    { label: 'expected kind differs', bytes: validFloat32Frame(), code: 'FRAME_MALFORMED', stage: 'decode', options: { expectedKind: 'weights' } },
    {
      label: 'expected names differ',
      bytes: validFloat32Frame(),
      code: 'SHAPE_MISMATCH',
      stage: 'decode',
      options: { expected: TINY_MODEL.map((spec, index) => (index === 1 ? { ...spec, name: 'dense/offset' } : spec)) },
    },
    {
      label: 'expected shapes differ',
      bytes: validFloat32Frame(),
      code: 'SHAPE_MISMATCH',
      stage: 'decode',
      options: { expected: TINY_MODEL.map((spec, index) => (index === 0 ? { ...spec, shape: [3, 2] } : spec)) },
    },
    { label: 'expected count differs', bytes: validFloat32Frame(), code: 'SHAPE_MISMATCH', stage: 'decode', options: { expected: TINY_MODEL.slice(0, 2) } },
    { label: 'a valid int8 frame with a NaN scale, expected shapes', bytes: int8Frame(Number.NaN), code: 'NON_FINITE_VALUES', stage: 'decode', options: expectDelta },
  ];
}

/** Every invalid input the tests know about; each is refused with `code` by all decoders. */
export function badFrames(): BadFrame[] {
  return [...headerCases(), ...truncations(), ...valueCases(), ...badCodecFrames()];
}
