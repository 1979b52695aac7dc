/** Keeps protocols/v1/frame.md and the code from drifting: its schema, examples and refusals are checked here. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';
import { DEFAULT_CODECS } from './default-codecs.js';
import { DEFAULT_FRAME_LIMITS } from './frame-limits.js';
import { readFrameHeader } from './read-frame-header.js';
import { badFrames } from './testing/bad-frames.js';
import { shoalErrorOf } from './testing/error-code.js';
import { mutateHeaderJson, seedFrames } from './testing/fuzz-inputs.js';
import { createRandom } from './testing/random.js';
import { splitFrame } from './testing/raw-frame.js';

const document = readFileSync(new URL('../../../protocols/v1/frame.md', import.meta.url), 'utf8');

/** The fenced block that follows `<!-- marker -->` in the document. */
function blockAfter(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(document);
  if (match?.[1] === undefined) throw new Error(`frame.md has no block after <!-- ${marker} -->`);
  return match[1];
}

/** Bytes of an annotated hex dump: on each line, the hex pairs before '#'. */
function hexBlock(marker: string): Uint8Array {
  const pairs = blockAfter(marker)
    .split('\n')
    .flatMap((line) => (line.split('#')[0] ?? '').trim().split(/\s+/))
    .filter((pair) => pair !== '');
  for (const pair of pairs) if (!/^[0-9a-f]{2}$/.test(pair)) throw new Error(`'${pair}' in <!-- ${marker} --> is not a hex byte`);
  return Uint8Array.from(pairs, (pair) => Number.parseInt(pair, 16));
}

const exampleTensors = [
  { name: 'w', shape: [2], values: Float32Array.of(1.5, -2) },
  { name: 'b', shape: [], values: Float32Array.of(0.25) },
];

const headerSchema = JSON.parse(blockAfter('schema: frame-header')) as object;
const validateHeader = new Ajv({ strict: true }).compile(headerSchema);

function withText(frame: Uint8Array, from: string, to: string, headerLength?: number): Uint8Array {
  const text = Buffer.from(frame).toString('latin1').replace(from, to);
  const edited = Uint8Array.from(Buffer.from(text, 'latin1'));
  if (headerLength !== undefined) new DataView(edited.buffer).setUint32(8, headerLength, true);
  return edited;
}

describe('protocols/v1/frame.md', () => {
  it('example 7.1 is byte for byte what encodeFrame writes for float32 weights', () => {
    const documented = hexBlock('example: float32-weights');

    const decoded = decodeFrame(documented, { expectedKind: 'weights' });

    expect(documented).toEqual(encodeFrame('weights', exampleTensors, { id: 'float32' }));
    expect(documented.length).toBe(153);
    expect(decoded.tensors).toEqual(exampleTensors);
  });

  it('example 7.2 is byte for byte what encodeFrame writes for an int8 delta, decoding to the stated values', () => {
    const documented = hexBlock('example: int8-delta');

    const decoded = decodeFrame(documented, { expectedKind: 'delta' });

    expect(documented).toEqual(encodeFrame('delta', exampleTensors, { id: 'int8' }));
    expect(documented.length).toBe(149);
    expect(Array.from(decoded.tensors[0]!.values)).toEqual([Math.fround(1.4960631), Math.fround(-2.0000002)]);
    expect(decoded.tensors[1]!.values[0]).toBe(Math.fround(0.25000003));
  });

  it('example 7.3 is byte for byte what encodeFrame writes for a topk+qsgd delta, whatever the random draw', () => {
    const documented = hexBlock('example: topk-qsgd-delta');
    const selection = { id: 'topk+qsgd', params: { fraction: 0.5, bits: 8 } };
    const outOfRange = documented.slice();
    outOfRange[172] = 0x02;
    const nanScale = documented.slice();
    nanScale.set([0x00, 0x00, 0xc0, 0x7f], 183);

    const decoded = decodeFrame(documented, { expectedKind: 'delta' });

    expect(documented).toEqual(encodeFrame('delta', exampleTensors, selection, undefined, () => 0.999));
    expect(documented).toEqual(encodeFrame('delta', exampleTensors, selection, undefined, () => 0));
    expect(documented.length).toBe(188);
    expect(decoded.tensors.map((tensor) => Array.from(tensor.values))).toEqual([[0, -2], [0.25]]);
    expect([shoalErrorOf(() => decodeFrame(outOfRange)).code, shoalErrorOf(() => decodeFrame(nanScale)).code]).toEqual(['FRAME_MALFORMED', 'NON_FINITE_VALUES']);
  });

  it('§4 lists exactly the default codecs, in registration order', () => {
    const section = document.slice(document.indexOf('## 4. Codecs'), document.indexOf('### 4.1'));
    const documented = [...section.matchAll(/^\| `([a-z0-9+-]+)` \|/gm)].map((match) => match[1]);

    expect(documented).toEqual(DEFAULT_CODECS.map((codec) => codec.id));
  });

  it('the refusals of §7.4 happen with the stated codes and messages', () => {
    const frame = hexBlock('example: float32-weights');
    const nan = frame.slice();
    nan.set([0x00, 0x00, 0xc0, 0x7f], nan.length - 4);
    const version2 = frame.slice();
    version2[4] = 2;

    const outcomes = [
      shoalErrorOf(() => decodeFrame(frame.slice(0, 100))),
      shoalErrorOf(() => decodeFrame(Uint8Array.from([...frame, 0]))),
      shoalErrorOf(() => decodeFrame(version2)),
      shoalErrorOf(() => decodeFrame(nan)),
      shoalErrorOf(() => decodeFrame(withText(frame, '"float32"', '"float64"'))),
      shoalErrorOf(() => decodeFrame(withText(frame, '"shape":[2]', '"shape":[2,1]', 131), { expected: [{ name: 'w', shape: [2] }, { name: 'b', shape: [] }] })),
      shoalErrorOf(() => decodeFrame(Uint8Array.from([...withText(frame, '"byteLength":8', '"byteLength":9'), 0]))),
    ].map((error) => `${error.code}: ${error.message}`);

    expect(outcomes).toEqual([
      'FRAME_MALFORMED: frame truncated: header claims 129 bytes, 88 present',
      'FRAME_MALFORMED: 1 trailing byte after the last tensor (frame offset 153)',
      'FRAME_MALFORMED: unsupported frame version 2; this decoder reads version 1',
      "NON_FINITE_VALUES: tensor 'b': float32 value at index 0 is NaN",
      expect.stringMatching(/^UNKNOWN_CODEC: /),
      "SHAPE_MISMATCH: tensor 'w' has shape [2, 1]; the model expects [2]",
      "FRAME_MALFORMED: tensor 'w' byteLength 9 is inconsistent with codec 'float32', which needs 8 for shape [2]",
    ]);
  });

  it('the limits table states DEFAULT_FRAME_LIMITS', () => {
    const numbers = (row: string): string => (/^\| `\w+` \| ([\d,]+)/m.exec(document.slice(document.indexOf(row)))?.[1] ?? '').replaceAll(',', '');

    const documented = {
      maxFrameBytes: Number(numbers('| `maxFrameBytes`')),
      maxTensors: Number(numbers('| `maxTensors`')),
      maxElements: Number(numbers('| `maxElements`')),
      maxHeaderBytes: Number(numbers('| `maxHeaderBytes`')),
    };

    expect(documented).toEqual(DEFAULT_FRAME_LIMITS);
  });

  it('the header schema accepts every header encodeFrame writes', () => {
    const headers = seedFrames().map((frame) => splitFrame(frame).header);

    const verdicts = headers.map((header) => validateHeader(header));

    expect(verdicts.every(Boolean)).toBe(true);
  });

  it('the header schema agrees with the decoder on the catalogue of bad headers', () => {
    const cases = badFrames().filter((bad) => bad.headerMatchesSchema !== undefined);

    const verdicts = cases.map((bad) => `${bad.label}: ${validateHeader(splitFrame(bad.bytes).header)}`);

    expect(cases.length).toBeGreaterThan(25);
    expect(verdicts).toEqual(cases.map((bad) => `${bad.label}: ${bad.headerMatchesSchema}`));
  });

  it('the header schema and the decoder agree on 2,000 randomly edited headers', () => {
    const random = createRandom(77);
    const seeds = seedFrames();
    const disagreements: string[] = [];

    for (let index = 0; index < 2_000; index++) {
      const frame = mutateHeaderJson(random, random.pick(seeds));
      const header = splitFrame(frame).header;
      const schemaValid = validateHeader(header);
      let refusal: string | undefined;
      try {
        readFrameHeader(frame);
      } catch (error) {
        refusal = error instanceof Error ? error.message : String(error);
      }
      // Schema-invalid must be refused; a refusal of the header's structure must be schema-invalid,
      // except for the rules §3.2 lists as beyond the schema.
      const structural = refusal?.startsWith('frame header:') === true && !/appears more than once|invalid params/.test(refusal);
      if ((!schemaValid && refusal === undefined) || (schemaValid && structural)) {
        disagreements.push(`${JSON.stringify(header)}: schema ${schemaValid ? 'accepts' : 'refuses'}, decoder ${refusal ?? 'accepts'}`);
      }
    }

    expect(disagreements.slice(0, 5)).toEqual([]);
  });
});
