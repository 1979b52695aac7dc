import { describe, expect, it } from 'vitest';
import { adagradStep } from './fed-adagrad.js';

const close = (actual: Float32Array, expected: number[]) => expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 6));

describe('adagradStep (FedAdagrad)', () => {
  it('sums squared updates into v from τ², with m = Δ̄ when β1 = 0', () => {
    const options = { learningRate: 1, beta1: 0, tau: 0.5 };
    const global = [Float32Array.of(0, 0)];

    const first = adagradStep(global, [Float32Array.of(1.2, -0.375)], undefined, options);
    const second = adagradStep(first.weights, [Float32Array.of(0.5, 0)], first.moments, options);

    // v = 0.25 + [1.44, 0.140625] = [1.69, 0.390625], √v = [1.3, 0.625]; w = [1.2/1.8, −0.375/1.125].
    close(first.moments.second[0]!, [1.69, 0.390625]);
    close(first.weights[0]!, [0.6666667, -0.3333333]);
    // v = [1.94, 0.390625]; w += [0.5/(√1.94 + 0.5), 0] = [0.2641535, 0].
    close(second.moments.second[0]!, [1.94, 0.390625]);
    close(second.weights[0]!, [0.9308202, -0.3333333]);
  });

  it("keeps Reddi's first moment when β1 > 0", () => {
    const first = adagradStep([Float32Array.of(0)], [Float32Array.of(2)], undefined, { learningRate: 1, beta1: 0.5, tau: 1 });
    // m = 0.5·2 = 1, v = 1 + 4 = 5, w = 1/(√5 + 1) = 0.3090170.
    close(first.moments.first[0]!, [1]);
    close(first.weights[0]!, [0.309017]);
  });
});
