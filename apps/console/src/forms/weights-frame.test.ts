import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '@shoal/codec';
import { encodeWeightsFrame, toBase64 } from './weights-frame.js';

const tensors = [
  { name: 'w', shape: [2], values: Float32Array.from([1.5, -2]) },
  { name: 'b', shape: [], values: Float32Array.from([0.25]) },
];

describe('the console\'s weights frame encoder', () => {
  it('writes exactly the bytes of @shoal/codec (frame.md example 7.1)', () => {
    const bytes = encodeWeightsFrame(tensors);
    expect(bytes).toEqual(encodeFrame('weights', tensors, { id: 'float32' }));
    expect(bytes.length).toBe(153);
    const decoded = decodeFrame(bytes, { expectedKind: 'weights' });
    expect(decoded.tensors.map((t) => [t.name, t.shape, [...t.values]])).toEqual([['w', [2], [1.5, -2]], ['b', [], [0.25]]]);
  });

  it('refuses non-finite values, as frame.md requires of encoders', () => {
    expect(() => encodeWeightsFrame([{ name: 'w', shape: [1], values: Float32Array.from([Number.NaN]) }])).toThrow(/non-finite value at index 0/);
  });

  it('base64-encodes large frames without overflowing the call stack', () => {
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });
});
