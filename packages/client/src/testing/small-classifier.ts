/** Small real tfjs classifiers for this package's serving tests (not exported from the package). */
import * as tf from '@tensorflow/tfjs';

/** Flatten → dense 16 (relu) → dense 10 (softmax); the seed fixes the weights, so two seeds are two "versions". */
export function smallClassifier(seed: number, inputShape: number[] = [28, 28, 1]): tf.LayersModel {
  const init = (layer: number) => tf.initializers.glorotUniform({ seed: seed * 10 + layer });
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape }),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(1), biasInitializer: tf.initializers.constant({ value: 0.01 * seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(2) }),
    ],
  });
}

/** Deterministic example values in [0, 1). */
export function exampleValues(count: number, size: number, seed: number): Float32Array[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: size }, next));
}
