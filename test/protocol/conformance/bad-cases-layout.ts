/** Frames refused by their byte lengths and by what the receiver expects: frame.md §6 checks 17–20. */
import { encodeFrame } from '@shoal/codec';
import { specTensors } from './frame-cases-float.js';
import { TINY_SPECS, tinyFrame, type BadCase } from './bad-frame-vectors.js';
import { editHeader, editTensor, f32, rawFrame, splitFrame, u32 } from './raw-frame.js';

const malformed = 'FRAME_MALFORMED' as const;
const mismatch = 'SHAPE_MISMATCH' as const;
const specFrame = () => encodeFrame('weights', specTensors(), { id: 'float32' });
const SPEC_SPECS = [{ name: 'w', shape: [2] }, { name: 'b', shape: [] }];

/** The same payload under other codec params or another codec. */
const relabelled = (frame: Uint8Array, id: string, params: Record<string, unknown>) => editHeader(frame, (header) => ({ ...header, codec: { id, params } }));

function sizeCases(): BadCase[] {
  const float32 = tinyFrame('float32');
  const spec = specFrame();
  const specParts = splitFrame(spec);
  specParts.header.tensors[0]!.byteLength = 9;
  const ninthByte = rawFrame({ kind: 1, header: specParts.header, payload: [...specParts.tensors.flat(), 0] });
  const size = (name: string, description: string, bytes: Uint8Array): BadCase => ({ name, description, check: 17, code: malformed, bytes });
  return [
    size('byte-length-inconsistent', 'frame.md §7.4: "byteLength":8 → 9 in the §7.1 header, one byte appended', ninthByte),
    size('int8-without-scale', 'int8 tensor 0 sent as its 6 levels alone (byteLength n, not 4 + n)', editTensor(tinyFrame('int8'), 0, (bytes) => bytes.splice(0, 4))),
    size('float32-bytes-as-float16', 'a float32 payload under codec float16: byteLength 4n where 2n is needed', relabelled(float32, 'float16', {})),
    size('qsgd-bits-mismatch', 'frame.md §4.4: 8-bit codes under "bits": 4', relabelled(tinyFrame('qsgd', { bits: 8 }), 'qsgd', { bits: 4 })),
    size('qsgd-block-size-mismatch', 'one scale per tensor under "blockSize": 2, which needs one per 2 values', relabelled(tinyFrame('qsgd', { bits: 8 }), 'qsgd', { bits: 8, blockSize: 2 })),
    size(
      'topk-above-maximum',
      'topk 0.5 tensor 0 (6 elements, k = 3) claims 40 bytes; the most it can take is 4 + 3·1 + 12 = 19',
      editTensor(tinyFrame('topk', { fraction: 0.5 }), 0, (bytes) => bytes.push(...new Array<number>(40 - bytes.length).fill(0))),
    ),
    size(
      'overlong-varint-without-slack',
      'the scalar of a topk frame with its index 0 written 80 00: 10 bytes, above the maximum 4 + 1 + 4 = 9, so check 17 sees it first',
      editTensor(tinyFrame('topk', { fraction: 0.5 }), 2, (bytes) => bytes.splice(4, 1, 0x80, 0x00)),
    ),
    size(
      'int8-channel-above-maximum',
      'int8-channel tensor 0 (6 elements) claims 35 bytes; the most is 4 + 4·6 + 6 = 34',
      editTensor(tinyFrame('int8-channel'), 0, (bytes) => bytes.push(...new Array<number>(35 - bytes.length).fill(0))),
    ),
    size('payload-one-byte-short', 'the last byte of the frame is missing: the last tensor claims 4 bytes, 3 are present', float32.slice(0, float32.length - 1)),
    size('truncated-in-payload', 'the frame cut 10 bytes into its first tensor', float32.slice(0, new DataView(float32.buffer).getUint32(8, true) + 12 + 10)),
    {
      name: 'byte-lengths-before-expectations',
      description: 'an inconsistent byteLength and an expected shape that differs: byte lengths come first (check 17 before 20)',
      check: 17,
      code: malformed,
      bytes: ninthByte,
      expect: { tensors: [{ name: 'w', shape: [3] }, SPEC_SPECS[1]!] },
    },
  ];
}

function trailingCases(): BadCase[] {
  const spec = specFrame();
  return [
    { name: 'trailing-byte', description: 'frame.md §7.4: one byte 00 appended to the §7.1 frame', check: 18, code: malformed, bytes: Uint8Array.from([...spec, 0]) },
    { name: 'trailing-after-no-tensors', description: 'an empty tensor list followed by 4 bytes', check: 18, code: malformed, bytes: rawFrame({ header: { codec: { id: 'float32', params: {} }, tensors: [] }, payload: u32(0) }) },
    {
      name: 'trailing-before-expectations',
      description: 'a trailing byte and an expected tensor list that differs: the layout comes first (check 18 before 20)',
      check: 18,
      code: malformed,
      bytes: Uint8Array.from([...spec, 0]),
      expect: { tensors: SPEC_SPECS.slice(0, 1) },
    },
  ];
}

export function expectationCases(): BadCase[] {
  const delta = tinyFrame('float32');
  const weights = tinyFrame('float32', {}, 'weights');
  const specs = (edit: (specs: typeof TINY_SPECS) => typeof TINY_SPECS) => edit(TINY_SPECS.map((spec) => ({ name: spec.name, shape: [...spec.shape] })));
  const differs = (name: string, description: string, tensors: typeof TINY_SPECS, bytes = delta): BadCase => ({ name, description, check: 20, code: mismatch, bytes, expect: { tensors } });
  const nan = editTensor(delta, 2, (bytes) => bytes.splice(0, 4, ...f32(Number.NaN)));
  const spec = specFrame();
  const reshaped = editHeader(spec, (header) => ({ ...header, tensors: [{ ...header.tensors[0]!, shape: [2, 1] }, header.tensors[1]!] }));
  return [
    {
      name: 'expected-weights-got-delta',
      description: 'a delta frame where the receiver expects weights',
      check: 19,
      code: malformed,
      bytes: delta,
      expect: { kind: 'weights' },
    },
    { name: 'expected-delta-got-weights', description: 'a weights frame where the receiver expects a delta', check: 19, code: malformed, bytes: weights, expect: { kind: 'delta' } },
    {
      name: 'kind-before-tensors',
      description: 'the wrong kind and a tensor list that differs: the kind comes first (check 19 before 20)',
      check: 19,
      code: malformed,
      bytes: weights,
      expect: { kind: 'delta', tensors: TINY_SPECS.slice(1) },
    },
    differs('fewer-tensors-expected', 'the model has the first two tensors only', TINY_SPECS.slice(0, 2)),
    differs('more-tensors-expected', 'the model has a fourth tensor', specs((list) => [...list, { name: 'extra', shape: [2] }])),
    differs('name-differs', "the model calls tensor 1 'dense/offset'", specs((list) => list.map((spec, index) => (index === 1 ? { ...spec, name: 'dense/offset' } : spec)))),
    differs('order-differs', 'the model lists the first two tensors the other way round', specs((list) => [list[1]!, list[0]!, list[2]!])),
    differs('shape-transposed', 'the model expects [3, 2] for a [2, 3] tensor', specs((list) => list.map((spec, index) => (index === 0 ? { ...spec, shape: [3, 2] } : spec)))),
    differs('shape-flattened', 'the model expects [6] for a [2, 3] tensor (same element count)', specs((list) => list.map((spec, index) => (index === 0 ? { ...spec, shape: [6] } : spec)))),
    differs('scalar-versus-one', 'the model expects [1] for a scalar []', specs((list) => list.map((spec, index) => (index === 2 ? { ...spec, shape: [1] } : spec)))),
    differs('spec-shape-2-1', 'frame.md §7.4: "shape":[2] → [2,1] (H = 131) is a valid frame; a receiver expecting w [2] answers SHAPE_MISMATCH', SPEC_SPECS, reshaped),
    differs('tensors-before-values', 'a NaN in the last tensor and an expected name that differs: tensors come first (check 20 before 21)', specs((list) => list.map((spec, index) => (index === 0 ? { ...spec, name: 'other' } : spec))), nan),
  ];
}

export function layoutCases(): BadCase[] {
  return [...sizeCases(), ...trailingCases()];
}
