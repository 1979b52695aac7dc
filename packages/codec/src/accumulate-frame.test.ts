import { describe, expect, it } from 'vitest';
import { accumulateFrame } from './accumulate-frame.js';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';
import { badFrames, validFloat32Frame } from './testing/bad-frames.js';
import { errorCodeOf } from './testing/error-code.js';
import { TINY_MODEL, tensorsFor, zeroTargets } from './testing/sample-model.js';

describe('accumulateFrame', () => {
  it('adds weight × each decoded tensor into its target', () => {
    const first = tensorsFor(TINY_MODEL, 1);
    const second = tensorsFor(TINY_MODEL, 2);
    const sums = zeroTargets(TINY_MODEL);

    accumulateFrame(encodeFrame('delta', first, { id: 'float32' }), sums, 0.25, { expected: TINY_MODEL, expectedKind: 'delta' });
    accumulateFrame(encodeFrame('delta', second, { id: 'float32' }), sums, 0.75);

    sums.forEach((sum, t) => {
      const expected = Array.from(sum, (_, i) => Math.fround(Math.fround(0.25 * first[t]!.values[i]!) + 0.75 * second[t]!.values[i]!));
      expect(Array.from(sum)).toEqual(expected);
    });
  });

  it('adds exactly the values decodeFrame returns for int8 frames', () => {
    const frame = encodeFrame('delta', tensorsFor(TINY_MODEL, 4, 3), { id: 'int8' });
    const sums = zeroTargets(TINY_MODEL);

    const header = accumulateFrame(frame, sums, 1);

    expect(header.codec.id).toBe('int8');
    expect(sums).toEqual(decodeFrame(frame).tensors.map((tensor) => tensor.values));
  });

  it('leaves every target untouched when it refuses a frame', () => {
    const cases = badFrames();
    const untouched = zeroTargets(TINY_MODEL, 0.5);

    const outcomes = cases.map((bad) => {
      const targets = zeroTargets(TINY_MODEL, 0.5);
      const code = errorCodeOf(() => accumulateFrame(bad.bytes, targets, 2, bad.options));
      return `${bad.label}: ${code} ${JSON.stringify(targets.map((target) => Array.from(target))) === JSON.stringify(untouched.map((target) => Array.from(target))) ? 'untouched' : 'MODIFIED'}`;
    });

    expect(outcomes).toEqual(cases.map((bad) => `${bad.label}: ${bad.code} untouched`));
  });

  it('refuses targets that do not fit the frame, and a non-finite weight', () => {
    const frame = validFloat32Frame();

    expect(errorCodeOf(() => accumulateFrame(frame, zeroTargets(TINY_MODEL).slice(1), 1))).toBe('SHAPE_MISMATCH');
    expect(errorCodeOf(() => accumulateFrame(frame, zeroTargets(TINY_MODEL).reverse(), 1))).toBe('SHAPE_MISMATCH');
    expect(errorCodeOf(() => accumulateFrame(frame, zeroTargets(TINY_MODEL), Number.POSITIVE_INFINITY))).toBe('VALIDATION_FAILED');
  });
});
