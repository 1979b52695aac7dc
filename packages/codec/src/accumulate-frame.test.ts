import { describe, expect, it } from 'vitest';
import { accumulateFrame } from './accumulate-frame.js';
import { arenaOf, createAccumulators } from './accumulators.js';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';
import { badFrames, validFloat32Frame } from './testing/bad-frames.js';
import { errorCodeOf } from './testing/error-code.js';
import { createRandom } from './testing/random.js';
import { TINY_MODEL, tensorsFor, zeroTargets } from './testing/sample-model.js';

describe('accumulateFrame', () => {
  it('adds weight × each decoded tensor into its target', () => {
    const first = tensorsFor(TINY_MODEL, 1);
    const second = tensorsFor(TINY_MODEL, 2);
    const sums = zeroTargets(TINY_MODEL);

    accumulateFrame(encodeFrame('delta', first, { id: 'float32' }), sums, 0.25, { expected: TINY_MODEL, expectedKind: 'delta' });
    accumulateFrame(encodeFrame('delta', second, { id: 'float32' }), sums, 0.75);

    sums.forEach((sum, t) => {
      const expected = Array.from(sum, (_, i) => Math.fround(Math.fround(0.25 * first[t]!.values[i]!) + Math.fround(0.75 * second[t]!.values[i]!)));
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

  it('adds the same into SIMD accumulators as into plain arrays, across 64 KiB staging pieces and odd block sizes', () => {
    const specs = [{ name: 'big', shape: [70_001] }, { name: 'odd', shape: [37] }, { name: 'one', shape: [] }];
    const tensors = tensorsFor(specs, 6, 0.3);
    const selections = [
      { id: 'float32' },
      { id: 'int8' },
      { id: 'qsgd', params: { bits: 8 } },
      { id: 'qsgd', params: { bits: 8, blockSize: 256 } },
      { id: 'qsgd', params: { bits: 8, blockSize: 100 } },
      { id: 'qsgd', params: { bits: 8, blockSize: 70_000 } },
      { id: 'topk+qsgd', params: { fraction: 0.1, bits: 8 } },
    ];

    const differences = selections.map((selection) => {
      const frame = encodeFrame('delta', tensors, selection, undefined, createRandom(3).next);
      const plain = zeroTargets(specs, 0.5);
      const simd = createAccumulators(specs.map((spec) => spec.shape.reduce((a, b) => a * b, 1)));
      simd.forEach((target) => target.fill(0.5));
      for (const weight of [3, 250]) {
        accumulateFrame(frame, plain, weight);
        accumulateFrame(frame, simd, weight);
      }
      return `${selection.id} ${JSON.stringify(selection.params ?? {})}: ${plain.filter((target, t) => !target.every((value, i) => value === simd[t]![i])).length} tensors differ`;
    });

    expect(differences).toEqual(selections.map((selection) => `${selection.id} ${JSON.stringify(selection.params ?? {})}: 0 tensors differ`));
  });

  it('hands out zeroed, separate accumulators', () => {
    const [first, second] = createAccumulators([5, 3]);

    first!.fill(2);

    expect(Array.from(second!)).toEqual([0, 0, 0]);
    // Node 20 has WebAssembly SIMD, so the test above exercised the kernels and not only the JS fallback.
    expect(arenaOf(first!)).toBeDefined();
    expect(Array.from(first!)).toEqual([2, 2, 2, 2, 2]);
  });

  it('refuses targets that do not fit the frame, and a non-finite weight', () => {
    const frame = validFloat32Frame();

    expect(errorCodeOf(() => accumulateFrame(frame, zeroTargets(TINY_MODEL).slice(1), 1))).toBe('SHAPE_MISMATCH');
    expect(errorCodeOf(() => accumulateFrame(frame, zeroTargets(TINY_MODEL).reverse(), 1))).toBe('SHAPE_MISMATCH');
    expect(errorCodeOf(() => accumulateFrame(frame, zeroTargets(TINY_MODEL), Number.POSITIVE_INFINITY))).toBe('VALIDATION_FAILED');
  });
});
