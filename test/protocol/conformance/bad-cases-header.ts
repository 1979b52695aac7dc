/** Frames refused by the header JSON, its limits, the codec and its params: frame.md §6 checks 10–16. */
import { encodeFrame } from '@shoal/codec';
import { specTensors } from './frame-cases-float.js';
import { tinyFrame, type BadCase } from './bad-frame-vectors.js';
import { editHeader, rawFrame, splitFrame, withUint32, type FrameParts } from './raw-frame.js';

type Header = FrameParts['header'];
type Tensor = Header['tensors'][number];
const malformed = 'FRAME_MALFORMED' as const;

const base = () => tinyFrame('float32');
const edited = (edit: (header: Header) => unknown) => editHeader(base(), edit);
const tensorEdited = (index: number, edit: (tensor: Record<string, unknown>) => void) =>
  edited((header) => {
    edit(header.tensors[index] as unknown as Record<string, unknown>);
    return header;
  });
const withText = (text: string) => rawFrame({ header: text, payload: splitFrame(base()).tensors.flat() });
const huge: Tensor = { name: 'fc1/kernel', shape: [65_536, 32_768], byteLength: 2 ** 33 };

function jsonCases(): BadCase[] {
  const valid = base();
  const headerLength = new DataView(valid.buffer).getUint32(8, true);
  const headerText = new TextDecoder().decode(valid.subarray(12, 12 + headerLength));
  const textBytes = new TextEncoder().encode(headerText);
  const at = headerText.indexOf('dense/bias"') + 'dense/bias'.length; // ASCII so far: characters are bytes
  const surrogate = Uint8Array.from([...textBytes.subarray(0, at), 0xed, 0xa0, 0x80, ...textBytes.subarray(at)]);
  return [
    { name: 'not-json', description: "the header 'hello, frame'", check: 10, code: malformed, bytes: rawFrame({ header: 'hello, frame' }) },
    { name: 'invalid-utf8', description: 'header bytes 7b ff 7d', check: 10, code: malformed, bytes: rawFrame({ header: Uint8Array.of(0x7b, 0xff, 0x7d) }) },
    {
      name: 'utf8-surrogate',
      description: 'a tensor name holding ed a0 80 (an encoded UTF-16 surrogate, invalid UTF-8)',
      check: 10,
      code: malformed,
      bytes: rawFrame({ header: surrogate, payload: splitFrame(valid).tensors.flat() }),
    },
    { name: 'byte-order-mark', description: 'the header starts with a UTF-8 BOM (ef bb bf)', check: 10, code: malformed, bytes: withText(`\ufeff${headerText}`) },
    { name: 'header-cut-short', description: 'H one less than the JSON text: the header ends inside it', check: 10, code: malformed, bytes: withUint32(valid, 8, headerLength - 1) },
    { name: 'trailing-text', description: 'valid JSON followed by " x" inside the header', check: 10, code: malformed, bytes: withText(`${headerText} x`) },
  ];
}

function structureCases(): BadCase[] {
  const shape = (name: string, description: string, edit: (header: Header) => unknown): BadCase => ({ name, description, check: 11, code: malformed, bytes: edited(edit) });
  return [
    shape('top-level-array', 'the header is [header]', (header) => [header]),
    shape('top-level-null', 'the header is null', () => null),
    shape('extra-top-level-key', 'an extra key "round"', (header) => ({ ...header, round: 3 })),
    shape('missing-codec', 'no codec', (header) => ({ tensors: header.tensors })),
    shape('missing-tensors', 'no tensors', (header) => ({ codec: header.codec })),
    shape('codec-without-params', 'codec {"id": "float32"}', (header) => ({ ...header, codec: { id: 'float32' } })),
    shape('codec-extra-key', 'codec with an extra key "bits"', (header) => ({ ...header, codec: { ...header.codec, bits: 8 } })),
    shape('codec-id-number', 'codec id 7', (header) => ({ ...header, codec: { id: 7, params: {} } })),
    shape('codec-params-array', 'codec params []', (header) => ({ ...header, codec: { id: 'float32', params: [] } })),
    shape('codec-params-null', 'codec params null', (header) => ({ ...header, codec: { id: 'float32', params: null } })),
    shape('tensors-object', 'tensors {}', (header) => ({ ...header, tensors: {} })),
  ];
}

function tensorCases(): BadCase[] {
  const entry = (name: string, description: string, index: number, edit: (tensor: Record<string, unknown>) => void): BadCase => ({
    name,
    description,
    check: 13,
    code: malformed,
    bytes: tensorEdited(index, edit),
  });
  return [
    entry('tensor-extra-key', 'tensor 0 has an extra key "dtype"', 0, (tensor) => (tensor['dtype'] = 'float32')),
    entry('tensor-missing-byte-length', 'tensor 1 has no byteLength', 1, (tensor) => delete tensor['byteLength']),
    entry('name-empty', 'tensor 0 is named ""', 0, (tensor) => (tensor['name'] = '')),
    entry('name-number', 'tensor 0 is named 12', 0, (tensor) => (tensor['name'] = 12)),
    entry('name-257-code-points', 'a name of 257 code points (fish emoji: 514 UTF-16 units, 1028 bytes)', 0, (tensor) => (tensor['name'] = '🐟'.repeat(257))),
    entry('shape-not-array', 'shape 6', 0, (tensor) => (tensor['shape'] = 6)),
    entry('dimension-zero', 'shape [0, 3]', 0, (tensor) => (tensor['shape'] = [0, 3])),
    entry('dimension-negative', 'shape [-2, -3]', 0, (tensor) => (tensor['shape'] = [-2, -3])),
    entry('dimension-fraction', 'shape [1.5, 4]', 0, (tensor) => (tensor['shape'] = [1.5, 4])),
    entry('dimension-string', 'shape ["2", 3]', 0, (tensor) => (tensor['shape'] = ['2', 3])),
    entry('dimension-above-cap', 'shape [67108865] (2^26 + 1)', 2, (tensor) => (tensor['shape'] = [67_108_865])),
    entry('rank-9', 'nine dimensions', 0, (tensor) => (tensor['shape'] = [1, 1, 1, 1, 1, 1, 2, 3, 1])),
    entry('byte-length-negative', 'byteLength -24', 0, (tensor) => (tensor['byteLength'] = -24)),
    entry('byte-length-fraction', 'byteLength 23.5', 0, (tensor) => (tensor['byteLength'] = 23.5)),
    entry('byte-length-string', 'byteLength "24"', 0, (tensor) => (tensor['byteLength'] = '24')),
    entry('byte-length-2-pow-53', 'byteLength 2^53, one above the schema maximum', 0, (tensor) => (tensor['byteLength'] = 2 ** 53)),
    entry('duplicate-names', 'tensors 0 and 1 are both "dense/kernel"', 1, (tensor) => (tensor['name'] = 'dense/kernel')),
    entry('keys-before-elements', 'tensor 0 claims 2^27 elements and a byteLength of -1: its keys and types come first', 0, (tensor) => {
      tensor['shape'] = [67_108_864, 2];
      tensor['byteLength'] = -1;
    }),
  ];
}

function limitCases(): BadCase[] {
  const tooLarge = 'PAYLOAD_TOO_LARGE' as const;
  return [
    { name: 'too-many-tensors', description: '3 tensors with maxTensors 2', check: 12, code: tooLarge, bytes: base(), limits: { maxTensors: 2 } },
    {
      name: 'tensor-count-before-entries',
      description: '3 tensors, the first one nameless, with maxTensors 2: the count comes before the entries (check 12 before 13)',
      check: 12,
      code: tooLarge,
      bytes: tensorEdited(0, (tensor) => (tensor['name'] = '')),
      limits: { maxTensors: 2 },
    },
    { name: 'elements-2-pow-31', description: 'one tensor [65536, 32768] (2^31 elements) in a small frame', check: 14, code: tooLarge, bytes: edited((header) => ({ ...header, tensors: [huge] })) },
    { name: 'elements-in-total', description: '6 + 3 + 1 elements with maxElements 9: the running total fails at the last tensor', check: 14, code: tooLarge, bytes: base(), limits: { maxElements: 9 } },
    {
      name: 'elements-before-later-entry',
      description: 'tensor 0 claims 2^31 elements, tensor 1 is nameless: tensors are checked in order (14 for tensor 0 before 13 for tensor 1)',
      check: 14,
      code: tooLarge,
      bytes: edited((header) => ({ ...header, tensors: [huge, { ...header.tensors[1]!, name: '' }] })),
    },
    {
      name: 'entry-before-later-elements',
      description: 'tensor 0 is nameless, tensor 1 claims 2^31 elements',
      check: 13,
      code: malformed,
      bytes: edited((header) => ({ ...header, tensors: [{ ...header.tensors[0]!, name: '' }, huge] })),
    },
  ];
}

function codecCases(): BadCase[] {
  const unknown = 'UNKNOWN_CODEC' as const;
  const spec = encodeFrame('weights', specTensors(), { id: 'float32' });
  const named = (id: string) => (header: Header) => ({ ...header, codec: { id, params: {} } });
  const params = (name: string, id: string, values: Record<string, unknown>): BadCase => ({
    name,
    description: `codec ${id} with params ${JSON.stringify(values)}`,
    check: 16,
    code: malformed,
    bytes: edited((header) => ({ ...header, codec: { id, params: values } })),
  });
  return [
    { name: 'unknown-codec', description: 'frame.md §7.4: "float32" → "float64" in the §7.1 header', check: 15, code: unknown, bytes: editHeader(spec, named('float64')) },
    {
      name: 'codec-before-byte-lengths',
      description: 'codec "top-k" (not registered) with byteLengths no codec would give: the codec comes first (check 15 before 17)',
      check: 15,
      code: unknown,
      bytes: edited((header) => ({ codec: { id: 'top-k', params: {} }, tensors: header.tensors.map((tensor) => ({ ...tensor, byteLength: tensor.byteLength + 1 })) })),
    },
    {
      name: 'entries-before-codec',
      description: 'codec "float64" and duplicate tensor names: the entries come first (check 13 before 15)',
      check: 13,
      code: malformed,
      bytes: edited((header) => ({ codec: { id: 'float64', params: {} }, tensors: header.tensors.map((tensor) => ({ ...tensor, name: 'same' })) })),
    },
    {
      name: 'elements-before-codec',
      description: 'codec "float64" and a tensor of 2^31 elements: the limits come first (check 14 before 15)',
      check: 14,
      code: 'PAYLOAD_TOO_LARGE',
      bytes: edited(() => ({ codec: { id: 'float64', params: {} }, tensors: [huge] })),
    },
    params('float32-with-params', 'float32', { bits: 16 }),
    params('int8-with-params', 'int8', { scale: 1 }),
    params('qsgd-bits-3', 'qsgd', { bits: 3 }),
    params('qsgd-without-bits', 'qsgd', { blockSize: 4 }),
    params('qsgd-bits-string', 'qsgd', { bits: '8' }),
    params('qsgd-block-size-0', 'qsgd', { bits: 8, blockSize: 0 }),
    params('qsgd-block-size-fraction', 'qsgd', { bits: 8, blockSize: 1.5 }),
    params('qsgd-block-size-above-cap', 'qsgd', { bits: 8, blockSize: 67_108_865 }),
    params('topk-fraction-0', 'topk', { fraction: 0 }),
    params('topk-fraction-above-1', 'topk', { fraction: 1.5 }),
    params('topk-fraction-string', 'topk', { fraction: '0.5' }),
    params('topk-with-bits', 'topk', { fraction: 0.5, bits: 8 }),
    params('topk-qsgd-without-bits', 'topk+qsgd', { fraction: 0.5 }),
    params('randk-qsgd-without-fraction', 'randk+qsgd', { bits: 8 }),
    params('int8-channel-with-params', 'int8-channel', { channels: 3 }),
  ];
}

export function headerCases(): BadCase[] {
  return [...jsonCases(), ...structureCases(), ...limitCases(), ...tensorCases(), ...codecCases()];
}
