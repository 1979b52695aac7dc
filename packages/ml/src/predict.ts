/** Synchronous batched inference: class probabilities and the most likely class per example. */
import * as tf from '@tensorflow/tfjs';
import { ShoalError } from '@shoal/protocol';
import { classifierShape, featureSize } from './classifier.js';

export interface Prediction {
  classes: Int32Array;
  /** count x numClasses, row-major. */
  probabilities: Float32Array;
}

const PREDICT_BATCH_SIZE = 256;

export function predict(model: tf.LayersModel, features: Float32Array, count: number): Prediction {
  const shape = classifierShape(model);
  const perExample = featureSize(shape);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ShoalError('VALIDATION_FAILED', `count must be a non-negative integer, got ${count}`);
  }
  if (!(features instanceof Float32Array) || features.length !== count * perExample) {
    throw new ShoalError(
      'VALIDATION_FAILED',
      `features must hold ${count} x ${perExample} = ${count * perExample} float32 values for input [${shape.inputShape.join(', ')}], got ${features?.length}`,
    );
  }
  const { numClasses } = shape;
  const probabilities = new Float32Array(count * numClasses);
  for (let start = 0; start < count; start += PREDICT_BATCH_SIZE) {
    const size = Math.min(PREDICT_BATCH_SIZE, count - start);
    const values = tf.tidy(() => {
      // slice() copies: the cpu backend would otherwise keep a view of the caller's array.
      const inputs = tf.tensor(features.slice(start * perExample, (start + size) * perExample), [size, ...shape.inputShape], 'float32');
      return (model.predict(inputs) as tf.Tensor).dataSync();
    });
    probabilities.set(values, start * numClasses);
  }
  const classes = new Int32Array(count);
  for (let row = 0; row < count; row++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) {
      if (probabilities[row * numClasses + c]! > probabilities[row * numClasses + best]!) best = c;
    }
    classes[row] = best;
  }
  return { classes, probabilities };
}
