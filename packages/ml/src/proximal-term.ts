/**
 * FedProx's proximal term μ/2·‖w − w_global‖² (Li et al. 2020) for plain SGD, w_global being the trainable weights
 * when training starts.
 *
 * Discretisation: the exact SGD step on the proximal objective, w_{t+1} = w_t − η·(∇f(w_t) + μ·(w_t − w_global)).
 * tfjs's optimizer takes the ∇f part; the pull η·μ·(w_t − w_global) is taken at the weights the step starts from,
 * before the optimizer moves them, and subtracted after. The term then shrinks w − w_global by (1 − η·μ) per step,
 * which diverges once η·μ ≥ 2, so callers refuse that (see MAX_PROXIMAL_STEP).
 */
import * as tf from '@tensorflow/tfjs';

/** η·μ at or above this makes SGD on the proximal term diverge: |1 − η·μ| ≥ 1. */
export const MAX_PROXIMAL_STEP = 2;

export class ProximalTerm {
  private constructor(
    private readonly variables: tf.LayerVariable[],
    private readonly reference: tf.Tensor[],
    private readonly step: number,
  ) {}

  /** Takes the model's trainable weights now as w_global; η·μ is the scale of each step's pull. */
  static anchoredAt(model: tf.LayersModel, proximalMu: number, learningRate: number): ProximalTerm {
    const variables = model.trainableWeights;
    // Cloned tensors share the data until the optimizer assigns new values, so the snapshot costs no copy here.
    const reference = variables.map((variable) => tf.clone(variable.read()));
    return new ProximalTerm(variables, reference, learningRate * proximalMu);
  }

  /** Runs one optimizer step (`optimize`) with the proximal pull added to it. */
  async around<T>(optimize: () => Promise<T>): Promise<T> {
    const pulls = tf.tidy(() => {
      const step = tf.scalar(this.step, 'float32');
      return this.variables.map((variable, i) => tf.mul(tf.sub(variable.read(), this.reference[i]!), step));
    });
    try {
      const result = await optimize();
      tf.tidy(() => this.variables.forEach((variable, i) => variable.write(tf.sub(variable.read(), pulls[i]!))));
      return result;
    } finally {
      tf.dispose(pulls);
    }
  }

  dispose(): void {
    tf.dispose(this.reference);
  }
}
