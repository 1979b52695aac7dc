/** Batched evaluation: mean categorical cross-entropy and accuracy, without compiling the model. */
import * as tf from '@tensorflow/tfjs';
import { ShoalError } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import { assertSoftmaxClassifier } from './classifier.js';
import { yieldToEventLoop } from './event-loop.js';
import { assertExamplesFit, assertPositiveInteger, makeBatch } from './examples.js';
import { identityOrder } from './seeded-order.js';

export interface EvaluateOptions {
  batchSize?: number;
}

export interface ModelEvaluation {
  loss: number;
  accuracy: number;
  numExamples: number;
}

export const DEFAULT_EVALUATE_BATCH_SIZE = 128;

export async function evaluateModel(
  model: tf.LayersModel,
  data: LabeledExamples,
  options: EvaluateOptions = {},
): Promise<ModelEvaluation> {
  const batchSize = options.batchSize ?? DEFAULT_EVALUATE_BATCH_SIZE;
  assertPositiveInteger(batchSize, 'batchSize');
  const shape = assertSoftmaxClassifier(model);
  assertExamplesFit(data, shape);
  if (data.count === 0) throw new ShoalError('VALIDATION_FAILED', 'There are no examples to evaluate on');

  const order = identityOrder(data.count);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const batch = makeBatch(data, shape, order, start, Math.min(start + batchSize, data.count));
    let sums: tf.Tensor1D;
    try {
      sums = tf.tidy(() => {
        const probabilities = model.predict(batch.inputs) as tf.Tensor2D;
        // The same loss trainLocal optimises (tfjs-layers' clipped categorical cross-entropy).
        const losses = tf.metrics.categoricalCrossentropy(batch.targets, probabilities);
        const hits = tf.metrics.categoricalAccuracy(batch.targets, probabilities);
        return tf.stack([losses.sum(), hits.sum()]) as tf.Tensor1D;
      });
    } finally {
      batch.inputs.dispose();
      batch.targets.dispose();
    }
    const [batchLoss, batchCorrect] = await sums.data();
    sums.dispose();
    lossSum += batchLoss!;
    correct += batchCorrect!;
    await yieldToEventLoop();
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count, numExamples: data.count };
}
