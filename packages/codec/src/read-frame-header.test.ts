import { describe, expect, it } from 'vitest';
import { encodeFrame } from './encode-frame.js';
import { readFrameHeader } from './read-frame-header.js';
import { badFrames, validFloat32Frame } from './testing/bad-frames.js';
import { errorCodeOf, shoalErrorOf } from './testing/error-code.js';
import { rawFrame } from './testing/raw-frame.js';
import { TINY_MODEL } from './testing/sample-model.js';

describe('readFrameHeader', () => {
  it('reads kind, codec, tensors and the payload offset of a valid frame', () => {
    const frame = validFloat32Frame();

    const header = readFrameHeader(frame);

    expect(header.kind).toBe('delta');
    expect(header.codec).toEqual({ id: 'float32', params: {} });
    expect(header.tensors).toEqual(TINY_MODEL.map((spec) => ({ ...spec, byteLength: 4 * spec.shape.reduce((a, b) => a * b, 1) })));
    expect(header.payloadOffset + 40).toBe(frame.length);
  });

  it('refuses every structurally bad frame with its code', () => {
    const cases = badFrames().filter((bad) => bad.stage === 'header');

    const outcomes = cases.map((bad) => `${bad.label}: ${errorCodeOf(() => readFrameHeader(bad.bytes, bad.options))}`);

    expect(outcomes).toEqual(cases.map((bad) => `${bad.label}: ${bad.code}`));
  });

  it('accepts frames whose problems only decoding or expectations reveal', () => {
    const cases = badFrames().filter((bad) => bad.stage === 'decode');

    const outcomes = cases.map((bad) => `${bad.label}: ${errorCodeOf(() => readFrameHeader(bad.bytes, { limits: bad.options?.limits }))}`);

    expect(outcomes).toEqual(cases.map((bad) => `${bad.label}: undefined`));
  });

  it('says how much was claimed and how much is present when the header is truncated', () => {
    const frame = rawFrame({ header: 'x'.repeat(100), headerLength: 4096 });

    const error = shoalErrorOf(() => readFrameHeader(frame));

    expect(error.message).toBe('frame truncated: header claims 4096 bytes, 100 present');
  });

  it('names the tensor and the limit when a shape claims too many elements', () => {
    const header = { codec: { id: 'float32', params: {} }, tensors: [{ name: 'fc1/kernel', shape: [65_536, 32_768], byteLength: 2 ** 33 }] };

    const error = shoalErrorOf(() => readFrameHeader(rawFrame({ header })));

    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toBe("tensor 'fc1/kernel' claims 2147483648 elements; limit is 33554432");
    expect(error.details).toMatchObject({ tensor: 'fc1/kernel', elements: 2 ** 31 });
  });

  it('refuses a 2^31-element claim quickly and without allocating for it, even with the element limit lifted', () => {
    const header = { codec: { id: 'float32', params: {} }, tensors: [{ name: 'fc1/kernel', shape: [65_536, 32_768], byteLength: 2 ** 33 }] };
    const frame = rawFrame({ header });
    const before = process.memoryUsage().arrayBuffers;
    const cpuStarted = process.cpuUsage();

    const codes = [
      errorCodeOf(() => readFrameHeader(frame)),
      errorCodeOf(() => readFrameHeader(frame, { limits: { maxElements: 2 ** 40 } })),
    ];

    expect(codes).toEqual(['PAYLOAD_TOO_LARGE', 'FRAME_MALFORMED']);
    // CPU time (other load does not inflate it): refusing must not touch 2^33 bytes' worth of anything.
    const cpu = process.cpuUsage(cpuStarted);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });

  it('reports trailing bytes with their offset', () => {
    const valid = validFloat32Frame();
    const frame = Uint8Array.from([...valid, 1, 2, 3]);

    const error = shoalErrorOf(() => readFrameHeader(frame));

    expect(error.message).toMatch(/^3 trailing bytes after the last tensor/);
    expect(error.details).toMatchObject({ byteOffset: valid.length, trailing: 3 });
  });

  it('refuses limits that are not positive integers or exceed the format cap', () => {
    const frame = encodeFrame('weights', [], { id: 'float32' });

    expect(errorCodeOf(() => readFrameHeader(frame, { limits: { maxTensors: 0 } }))).toBe('VALIDATION_FAILED');
    expect(errorCodeOf(() => readFrameHeader(frame, { limits: { maxHeaderBytes: 70_000 } }))).toBe('VALIDATION_FAILED');
  });

  it('reads a frame that sits at an odd offset inside a larger buffer', () => {
    const valid = validFloat32Frame();
    const backing = new Uint8Array(valid.length + 3);
    backing.set(valid, 3);

    const header = readFrameHeader(backing.subarray(3));

    expect(header.tensors.map((tensor) => tensor.name)).toEqual(TINY_MODEL.map((spec) => spec.name));
  });
});
