/** Frames refused by the fixed prefix and the header length: frame.md §6 checks 1–9. */
import { encodeFrame } from '@shoal/codec';
import { specTensors } from './frame-cases-float.js';
import { tinyFrame, type BadCase } from './bad-frame-vectors.js';
import { withByte, withUint32 } from './raw-frame.js';

const malformed = 'FRAME_MALFORMED' as const;

export function prefixCases(): BadCase[] {
  const valid = tinyFrame('float32');
  const headerLength = new DataView(valid.buffer).getUint32(8, true);
  const spec = encodeFrame('weights', specTensors(), { id: 'float32' });
  return [
    { name: 'above-max-frame-bytes', description: `a valid ${valid.length}-byte frame, maxFrameBytes one less`, check: 1, code: 'PAYLOAD_TOO_LARGE', bytes: valid, limits: { maxFrameBytes: valid.length - 1 } },
    {
      name: 'size-before-prefix',
      description: 'a 5-byte frame with maxFrameBytes 4: the size limit is checked before the prefix (check 1 before 2)',
      check: 1,
      code: 'PAYLOAD_TOO_LARGE',
      bytes: valid.slice(0, 5),
      limits: { maxFrameBytes: 4 },
    },
    { name: 'empty', description: 'no bytes at all', check: 2, code: malformed, bytes: new Uint8Array(0) },
    { name: 'prefix-cut', description: 'the first 11 bytes of a valid frame', check: 2, code: malformed, bytes: valid.slice(0, 11) },
    { name: 'bad-magic', description: "magic 'SHOX'", check: 3, code: malformed, bytes: withByte(valid, 3, 0x58) },
    { name: 'lowercase-magic', description: "magic 'shol'", check: 3, code: malformed, bytes: Uint8Array.from([0x73, 0x68, 0x6f, 0x6c, ...valid.subarray(4)]) },
    { name: 'version-0', description: 'frame format version 0', check: 4, code: malformed, bytes: withByte(valid, 4, 0) },
    { name: 'version-2', description: 'frame.md §7.4: byte 4 (version) = 02', check: 4, code: malformed, bytes: withByte(spec, 4, 2) },
    { name: 'kind-0', description: 'kind 0', check: 5, code: malformed, bytes: withByte(valid, 5, 0) },
    { name: 'kind-3', description: 'kind 3', check: 5, code: malformed, bytes: withByte(valid, 5, 3) },
    { name: 'reserved-low-byte', description: 'reserved byte 6 = 01', check: 6, code: malformed, bytes: withByte(valid, 6, 1) },
    { name: 'reserved-high-byte', description: 'reserved byte 7 = 80', check: 6, code: malformed, bytes: withByte(valid, 7, 0x80) },
    { name: 'header-length-0', description: 'H = 0', check: 7, code: malformed, bytes: withUint32(valid, 8, 0) },
    {
      name: 'header-length-above-cap',
      description: 'H = 65537 with maxHeaderBytes 16: the format cap comes before the policy limit (check 7 before 8)',
      check: 7,
      code: malformed,
      bytes: withUint32(valid, 8, 65_537),
      limits: { maxHeaderBytes: 16 },
    },
    { name: 'header-length-ffffffff', description: 'H = 2^32 − 1', check: 7, code: malformed, bytes: withUint32(valid, 8, 0xffff_ffff) },
    { name: 'above-max-header-bytes', description: `H = ${headerLength} with maxHeaderBytes 16`, check: 8, code: 'PAYLOAD_TOO_LARGE', bytes: valid, limits: { maxHeaderBytes: 16 } },
    {
      name: 'header-limit-before-truncation',
      description: 'the frame cut to 40 bytes with maxHeaderBytes 16: the limit comes before the truncation (check 8 before 9)',
      check: 8,
      code: 'PAYLOAD_TOO_LARGE',
      bytes: valid.slice(0, 40),
      limits: { maxHeaderBytes: 16 },
    },
    { name: 'header-beyond-frame', description: 'H = the whole frame length', check: 9, code: malformed, bytes: withUint32(valid, 8, valid.length) },
    { name: 'truncated-in-header', description: 'frame.md §7.4: the §7.1 frame cut to its first 100 bytes', check: 9, code: malformed, bytes: spec.slice(0, 100) },
  ];
}
