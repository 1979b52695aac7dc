import { describe, expect, it } from 'vitest';
import { runSecureAggregation, type DropoutPlan } from './in-memory-round.js';
import { decodeFixedPointSum, encodeFixedPoint, type FixedPointSpec } from './fixed-point.js';
import type { SecAggParameters } from './messages.js';

const N = 9;
const THRESHOLD = N - Math.floor(N / 3); // tolerates ⌊n/3⌋ dropouts
const ids = Array.from({ length: N }, (_, i) => `client-${i}`);
const parameters: SecAggParameters = { context: 'job-1/round-1', threshold: THRESHOLD, ringBits: 32, length: 500 };

function inputs(length = parameters.length): Map<string, Uint32Array> {
  return new Map(ids.map((id, k) => [id, Uint32Array.from({ length }, (_, i) => (i * 7919 + k * 104729) >>> 0)]));
}

function plainSum(values: Map<string, Uint32Array>, include: readonly string[]): Uint32Array {
  const sum = new Uint32Array(parameters.length);
  for (const id of include) values.get(id)!.forEach((v, i) => (sum[i] = (sum[i]! + v) >>> 0));
  return sum;
}

describe('secure aggregation', () => {
  const phases: (keyof DropoutPlan)[] = ['beforeAdvertise', 'beforeShareKeys', 'beforeMaskedInput', 'beforeUnmask'];

  for (const phase of phases) {
    for (const dropped of [0, 1, Math.floor(N / 3)]) {
      it(`computes the exact sum with ${dropped} dropouts ${phase}`, () => {
        const values = inputs();
        const leaving = ids.slice(N - dropped);
        const result = runSecureAggregation(parameters, values, { [phase]: leaving });
        // Clients that left before sending their masked input are not in the sum; those leaving at unmask are.
        const expectedIncluded = phase === 'beforeUnmask' ? ids : ids.filter((id) => !leaving.includes(id));
        expect(result.included).toEqual([...expectedIncluded].sort());
        expect(result.sum).toEqual(plainSum(values, expectedIncluded));
      });
    }
  }

  it('aborts cleanly when more than a third drop out', () => {
    for (const phase of phases) {
      expect(() => runSecureAggregation(parameters, inputs(), { [phase]: ids.slice(0, Math.floor(N / 3) + 1) })).toThrow(/secure aggregation aborted: \d+ .*threshold 6/);
    }
  });

  it("hides one client's input: its masked vector as the coordinator holds it looks uniform, while the sum is exact", () => {
    const length = 65_536;
    const values = new Map(ids.map((id) => [id, new Uint32Array(length).fill(id === 'client-0' ? 0 : 1)]));
    const result = runSecureAggregation({ ...parameters, ringBits: 16, length }, values);
    const masked = result.maskedInputs.get('client-0')!;
    // Chi-square over 256 bins of the top byte: 255 degrees of freedom, 99.9% critical value ≈ 330.5.
    const bins = new Array<number>(256).fill(0);
    for (const value of masked) bins[value >>> 8]! += 1;
    const expected = length / 256;
    const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(330.5);
    expect(Array.from(masked.subarray(0, 10))).not.toEqual(new Array(10).fill(0));
    expect(result.sum.every((value) => value === N - 1)).toBe(true);
  });

  it('sums fixed-point encoded float updates (composition with client-side noise and stochastic rounding)', () => {
    const spec: FixedPointSpec = { ringBits: 32, clipRange: 1, maxClients: N };
    const floats = new Map(ids.map((id, k) => [id, Float32Array.from({ length: parameters.length }, (_, i) => Math.sin(i + k) * 0.5)]));
    const encoded = new Map([...floats].map(([id, values]) => [id, encodeFixedPoint(values, spec)]));
    const result = runSecureAggregation(parameters, encoded, { beforeUnmask: ['client-8'] });
    const decoded = decodeFixedPointSum(result.sum, spec);
    let maxError = 0;
    decoded.forEach((value, i) => {
      const expected = ids.reduce((sum, id) => sum + floats.get(id)![i]!, 0);
      maxError = Math.max(maxError, Math.abs(value - expected));
    });
    // At most one quantization level per client, plus float32 rounding of the decoded sum.
    expect(maxError).toBeLessThan((N * spec.clipRange) / ((2 ** 31 - 1) / N) + 1e-6);
  });
});

describe('mask generator', () => {
  it('is the XSalsa20 keystream of the seed (checked against secretbox, which encrypts with the same stream from byte 32)', async () => {
    const nacl = (await import('tweetnacl')).default;
    const { expandMask } = await import('./prg.js');
    const seed = nacl.randomBytes(32);
    const words = expandMask(seed, 64, 32);
    const box = nacl.secretbox(new Uint8Array(224), new Uint8Array(24), seed).subarray(16);
    const fromBox = new Uint32Array(box.slice().buffer).subarray(0, 56);
    expect(Array.from(words.subarray(8, 64))).toEqual(Array.from(fromBox));
  });
});
