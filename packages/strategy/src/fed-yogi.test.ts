import { describe, expect, it } from 'vitest';
import { yogiStep } from './fed-yogi.js';

const close = (actual: Float32Array, expected: number[]) => expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 6));

describe('yogiStep (FedYogi)', () => {
  it('moves v additively towards Δ̄², standing still where they are equal', () => {
    const options = { learningRate: 1, beta1: 0.5, beta2: 0.5, tau: 1 };
    const global = [Float32Array.of(0, 0)];

    const first = yogiStep(global, [Float32Array.of(1, -7)], undefined, options);
    const second = yogiStep(first.weights, [Float32Array.of(-1, 1)], first.moments, options);

    // v0 = τ² = 1; Δ̄² = [1, 49]: sign(1 − 1) = 0 keeps v = 1; sign(1 − 49) = −1 gives 1 + 0.5·49 = 25.5.
    close(first.moments.second[0]!, [1, 25.5]);
    close(first.weights[0]!, [0.25, -0.5785361]); // [0.5/(1 + 1), −3.5/(√25.5 + 1)]
    // Δ̄² = [1, 1]: v = [1, 25.5 − 0.5·1] = [1, 25] (Adam would decay to 13); m = [−0.25, −1.25].
    close(second.moments.second[0]!, [1, 25]);
    close(second.moments.first[0]!, [-0.25, -1.25]);
    close(second.weights[0]!, [0.125, -0.7868694]); // −0.5785361 − 1.25/6
  });
});
