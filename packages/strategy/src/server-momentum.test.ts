import { describe, expect, it } from 'vitest';
import { momentumStep } from './server-momentum.js';

const values = (tensors: readonly Float32Array[]) => tensors.map((tensor) => Array.from(tensor));

describe('momentumStep (FedAvgM)', () => {
  it('accumulates v ← β·v + Δ̄ and moves w by η·v, from v = 0', () => {
    const options = { learningRate: 1, momentum: 0.5 };
    const global = [Float32Array.of(1, -2)];

    const first = momentumStep(global, [Float32Array.of(2, 0.5)], undefined, options);
    const second = momentumStep(first.weights, [Float32Array.of(-1, 1)], first.state, options);
    const third = momentumStep(second.weights, [Float32Array.of(4, -2)], second.state, options);

    expect(values(first.state.velocity)).toEqual([[2, 0.5]]); // 0.5·0 + Δ
    expect(values(first.weights)).toEqual([[3, -1.5]]);
    expect(values(second.state.velocity)).toEqual([[0, 1.25]]); // 0.5·[2, 0.5] + [−1, 1]
    expect(values(second.weights)).toEqual([[3, -0.25]]);
    expect(values(third.state.velocity)).toEqual([[4, -1.375]]); // 0.5·[0, 1.25] + [4, −2]
    expect(values(third.weights)).toEqual([[7, -1.625]]);
  });

  it('scales the velocity by the server learning rate and leaves its inputs alone', () => {
    const global = [Float32Array.of(0)];
    const options = { learningRate: 0.1, momentum: 0.5 };

    const first = momentumStep(global, [Float32Array.of(1)], undefined, options);
    const second = momentumStep(first.weights, [Float32Array.of(1)], first.state, options);

    expect(first.weights[0]![0]).toBeCloseTo(0.1, 7);
    expect(second.weights[0]![0]).toBeCloseTo(0.25, 7); // v = 0.5·1 + 1 = 1.5; 0.1 + 0.1·1.5
    expect(Array.from(global[0]!)).toEqual([0]);
    expect(Array.from(first.state.velocity[0]!)).toEqual([1]);
  });

  it('refuses an update that does not fit the model', () => {
    expect(() => momentumStep([Float32Array.of(0, 0)], [Float32Array.of(1)], undefined, { learningRate: 1, momentum: 0.9 })).toThrow(expect.objectContaining({ name: 'ShoalError', code: 'SHAPE_MISMATCH' }));
  });
});
