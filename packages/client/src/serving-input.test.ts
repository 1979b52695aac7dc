import { describe, expect, it } from 'vitest';
import { flattenExample, flattenExamples } from './serving-input.js';
import { refusalOf } from './testing/refusal.js';

const MNIST = [28, 28, 1];
const image = (value: (row: number, column: number) => number) => Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => value(r, c)));

describe('inference input validation', async () => {
  it('accepts a flat list, a typed array, and nested lists of the input shape with or without its trailing 1', async () => {
    const flat = Array.from({ length: 784 }, (_, i) => i / 784);
    const expected = Float32Array.from(flat);
    expect(flattenExample(flat, MNIST)).toEqual(expected);
    expect(flattenExample(Float64Array.from(flat), MNIST)).toEqual(expected);
    expect(flattenExample(Uint8Array.from({ length: 784 }, () => 1), MNIST)).toEqual(new Float32Array(784).fill(1));
    expect(flattenExample(image((r, c) => (r * 28 + c) / 784), MNIST)).toEqual(expected);
    expect(flattenExample(image((r, c) => (r * 28 + c) / 784).map((row) => row.map((v) => [v])), MNIST)).toEqual(expected);
  });

  it('refuses wrong sizes and shapes with SHAPE_MISMATCH, naming what the model takes', async () => {
    expect(await refusalOf(() => flattenExample(new Array(783).fill(0), MNIST))).toMatchObject({
      code: 'SHAPE_MISMATCH',
      message: 'input has 783 values; the model takes 784 values per example (input shape [28, 28, 1])',
    });
    expect((await refusalOf(() => flattenExample(image(() => 0).slice(1), MNIST))).message).toBe('input has shape [27, 28]; the model takes 784 values per example (input shape [28, 28, 1])');
    const ragged = image(() => 0);
    ragged[5] = ragged[5]!.slice(1);
    expect(await refusalOf(() => flattenExample(ragged, MNIST))).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/ragged: a list at depth 1 has 27 entries, expected 28/) });
    expect((await refusalOf(() => flattenExample([[1, 2]], [4]))).code).toBe('SHAPE_MISMATCH');
  });

  it('refuses values that are not finite numbers, and inputs that are not lists, with VALIDATION_FAILED', async () => {
    const withNaN = new Array(784).fill(0.5);
    withNaN[10] = Number.NaN;
    expect(await refusalOf(() => flattenExample(withNaN, MNIST))).toMatchObject({ code: 'VALIDATION_FAILED', message: 'input[10] is NaN; inputs must be finite numbers' });
    const withText: unknown[] = new Array(784).fill(0);
    withText[3] = '0.5';
    expect((await refusalOf(() => flattenExample(withText, MNIST))).message).toBe('input[3] is string; inputs must be finite numbers');
    expect((await refusalOf(() => flattenExample(Float32Array.of(1, Number.POSITIVE_INFINITY, 0, 0), [4]))).message).toBe('input[1] is Infinity; inputs must be finite numbers');
    expect(await refusalOf(() => flattenExample('pixels', MNIST))).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/must be a list of numbers, a nested list of shape \[28, 28, 1\] or a typed array, got string/) });
    expect((await refusalOf(() => flattenExample(null, MNIST))).code).toBe('VALIDATION_FAILED');
    expect((await refusalOf(() => flattenExample(new BigInt64Array(784), MNIST))).code).toBe('VALIDATION_FAILED');
    const mixed = image(() => 0) as unknown[];
    mixed[2] = 7;
    expect((await refusalOf(() => flattenExample(mixed, MNIST))).message).toMatch(/mixes lists and 7 at depth 1/);
  });

  it("reads a request's inputs as one flat example or a list of examples, capped in number", async () => {
    expect(flattenExamples([1, 2, 3, 4], [4], 8)).toEqual([Float32Array.of(1, 2, 3, 4)]);
    expect(flattenExamples([[1, 2, 3, 4], Float32Array.of(5, 6, 7, 8)], [4], 8)).toEqual([Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8)]);
    expect(flattenExamples([[[1, 2], [3, 4]]], [2, 2], 8)).toEqual([Float32Array.of(1, 2, 3, 4)]);
    expect((await refusalOf(() => flattenExamples([[1, 2, 3, 4], [5, 6, 7]], [4], 8))).message).toBe('inputs[1] has 3 values; the model takes 4 values per example (input shape [4])');
    expect(await refusalOf(() => flattenExamples(new Array(9).fill([1, 2, 3, 4]), [4], 8))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await refusalOf(() => flattenExamples([], [4], 8))).code).toBe('VALIDATION_FAILED');
    expect((await refusalOf(() => flattenExamples({ pixels: [] }, [4], 8))).code).toBe('VALIDATION_FAILED');
  });
});
