import { describe, expect, it } from 'vitest';
import { elementCount } from '@shoal/protocol';
import { decodeFrame } from './decode-frame.js';
import { encodeFrame } from './encode-frame.js';
import { errorCodeOf, shoalErrorOf } from './testing/error-code.js';
import { splitFrame } from './testing/raw-frame.js';
import { MNIST_2NN, TINY_MODEL, tensorsFor } from './testing/sample-model.js';

describe('encodeFrame', () => {
  it('writes the prefix: magic, version, kind, reserved, header length', () => {
    const frame = encodeFrame('weights', tensorsFor(TINY_MODEL), { id: 'float32' });

    expect(Array.from(frame.subarray(0, 8))).toEqual([0x53, 0x48, 0x4f, 0x4c, 1, 1, 0, 0]);
    expect(encodeFrame('delta', [], { id: 'int8' })[5]).toBe(2);
    expect(splitFrame(frame).header).toEqual({
      codec: { id: 'float32', params: {} },
      tensors: [
        { name: 'dense/kernel', shape: [2, 3], byteLength: 24 },
        { name: 'dense/bias', shape: [3], byteLength: 12 },
        { name: 'temperature', shape: [], byteLength: 4 },
      ],
    });
  });

  it('keeps an int8 model frame within 27% of the float32 one for the 199,210-parameter 2NN', () => {
    const tensors = tensorsFor(MNIST_2NN, 3, 0.1);

    const int8 = encodeFrame('delta', tensors, { id: 'int8' });
    const float32 = encodeFrame('delta', tensors, { id: 'float32' });

    expect(MNIST_2NN.reduce((sum, spec) => sum + elementCount(spec.shape), 0)).toBe(199_210);
    expect(int8.length / float32.length).toBeLessThanOrEqual(0.27);
  });

  it('refuses unknown codecs, bad params and bad kinds', () => {
    const tensors = tensorsFor(TINY_MODEL);

    expect(errorCodeOf(() => encodeFrame('delta', tensors, { id: 'top-k' }))).toBe('UNKNOWN_CODEC');
    expect(errorCodeOf(() => encodeFrame('delta', tensors, { id: 'int8', params: { bits: 4 } }))).toBe('VALIDATION_FAILED');
    expect(errorCodeOf(() => encodeFrame('gradient' as never, tensors, { id: 'int8' }))).toBe('VALIDATION_FAILED');
  });

  it('refuses tensors the header could not describe', () => {
    const [kernel] = tensorsFor(TINY_MODEL);
    const base = kernel!;

    expect(errorCodeOf(() => encodeFrame('delta', [base, base], { id: 'float32' }))).toBe('VALIDATION_FAILED');
    expect(errorCodeOf(() => encodeFrame('delta', [{ ...base, name: '' }], { id: 'float32' }))).toBe('VALIDATION_FAILED');
    expect(errorCodeOf(() => encodeFrame('delta', [{ ...base, shape: [6, 0] }], { id: 'float32' }))).toBe('VALIDATION_FAILED');
    expect(errorCodeOf(() => encodeFrame('delta', [{ ...base, shape: [3, 3] }], { id: 'float32' }))).toBe('SHAPE_MISMATCH');
  });

  it('refuses non-finite values, naming the tensor', () => {
    const tensors = tensorsFor(TINY_MODEL);
    tensors[1]!.values[2] = Number.NaN;

    const error = shoalErrorOf(() => encodeFrame('delta', tensors, { id: 'int8' }));

    expect(error.code).toBe('NON_FINITE_VALUES');
    expect(error.message).toMatch(/^tensor 'dense\/bias': .*index 2 is NaN/);
  });

  it('refuses a header that would exceed 65536 bytes', () => {
    const tensors = Array.from({ length: 300 }, (_, index) => ({ name: `${'n'.repeat(250)}${index}`, shape: [1], values: Float32Array.of(0) }));

    expect(errorCodeOf(() => encodeFrame('weights', tensors, { id: 'float32' }))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('produces frames that decode to the same names and shapes', () => {
    const tensors = tensorsFor(MNIST_2NN, 5);

    const decoded = decodeFrame(encodeFrame('weights', tensors, { id: 'float32' }));

    expect(decoded.tensors.map(({ name, shape }) => ({ name, shape }))).toEqual(MNIST_2NN);
  });
});
