import { describe, expect, it } from 'vitest';
import { adamStep } from './fed-adam.js';

const close = (actual: Float32Array, expected: number[]) => expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 6));

describe('adamStep (FedAdam, no bias correction)', () => {
  it('starts from m = 0, v = τ² and follows Reddi et al. for two steps', () => {
    const options = { learningRate: 1, beta1: 0.5, beta2: 0.5, tau: 1 };
    const global = [Float32Array.of(0, 0)];

    const first = adamStep(global, [Float32Array.of(1, -7)], undefined, options);
    const second = adamStep(first.weights, [Float32Array.of(-1, 1)], first.moments, options);

    // m = 0.5·0 + 0.5·[1, −7] = [0.5, −3.5]; v = 0.5·1 + 0.5·[1, 49] = [1, 25]; w = m/(√v + 1) = [0.5/2, −3.5/6].
    close(first.moments.first[0]!, [0.5, -3.5]);
    close(first.moments.second[0]!, [1, 25]);
    close(first.weights[0]!, [0.25, -0.5833333]);
    // m = [0.25 − 0.5, −1.75 + 0.5] = [−0.25, −1.25]; v = [0.5 + 0.5, 12.5 + 0.5] = [1, 13]; w += [−0.25/2, −1.25/(√13 + 1)].
    close(second.moments.first[0]!, [-0.25, -1.25]);
    close(second.moments.second[0]!, [1, 13]);
    close(second.weights[0]!, [0.125, -0.8547449]);
  });

  it('takes small steps with the defaults η = 0.01, β1 = 0.9, β2 = 0.99, τ = 1e-3', () => {
    const options = { learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
    const first = adamStep([Float32Array.of(0)], [Float32Array.of(0.1)], undefined, options);
    const second = adamStep(first.weights, [Float32Array.of(0.1)], first.moments, options);

    // m = 0.01, v = 0.99·1e-6 + 0.01·0.01 = 1.0099e-4, w = 0.01·0.01/(√1.0099e-4 + 1e-3) = 0.0090503.
    close(first.weights[0]!, [0.0090503]);
    // m = 0.019, v = 1.9998e-4, w = 0.0090503 + 0.01·0.019/(0.0141414 + 1e-3) = 0.0215986.
    close(second.weights[0]!, [0.0215986]);
  });
});
