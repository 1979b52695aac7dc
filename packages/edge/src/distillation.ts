/**
 * Knowledge distillation (Hinton et al. 2015): trains a student on the teacher's temperature-softened outputs on
 * data the server holds, plus a small weight on the true labels. Also used to fine-tune a shrunk model.
 */
import * as tf from '@tensorflow/tfjs';
import { ShoalError, elementCount } from '@shoal/protocol';
import { createRng, type LabeledExamples } from '@shoal/data';
import { predict } from '@shoal/ml';

export interface DistillationOptions {
  epochs: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam's learning rate; default 0.005 (from scratch; fine-tuning wants less). */
  learningRate?: number;
  /** Softening temperature T of both teacher and student outputs; default 2. */
  temperature?: number;
  /** Weight of the cross-entropy on the true labels (the soft loss has 1 − this); default 0.1. */
  hardLabelWeight?: number;
  /** Seeds the per-epoch shuffle; default 1. */
  seed?: number;
}

export interface DistillationResult {
  /** Mean loss over the last epoch. */
  loss: number;
  durationMs: number;
}

const PROBABILITY_FLOOR = 1e-7;

/** The teacher's class probabilities softened to temperature T: p^(1/T) renormalised, which is softmax(logits / T). */
export function softTargets(teacher: tf.LayersModel, data: LabeledExamples, temperature: number): Float32Array {
  const { probabilities } = predict(teacher, data.features, data.count);
  const classes = probabilities.length / Math.max(1, data.count);
  for (let row = 0; row < data.count; row++) {
    const slice = probabilities.subarray(row * classes, (row + 1) * classes);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += slice[c] = Math.max(slice[c]!, PROBABILITY_FLOOR) ** (1 / temperature);
    for (let c = 0; c < classes; c++) slice[c]! /= sum;
  }
  return probabilities;
}

function inputShapeOf(student: tf.LayersModel, data: LabeledExamples): number[] {
  const shape = student.inputs[0]!.shape.slice(1) as number[];
  if (elementCount(shape) * data.count !== data.features.length) {
    throw new ShoalError('SHAPE_MISMATCH', `student input [${shape.join(', ')}] does not fit examples of shape [${data.featureShape.join(', ')}]`);
  }
  return shape;
}

/** Trains `student` in place on `data`, with `targets` from softTargets at the same temperature. */
export async function distill(student: tf.LayersModel, data: LabeledExamples, targets: Float32Array, options: DistillationOptions): Promise<DistillationResult> {
  const { epochs, batchSize = 64, learningRate = 0.005, temperature = 2, hardLabelWeight = 0.1, seed = 1 } = options;
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new ShoalError('VALIDATION_FAILED', `distillation epochs must be a positive integer, got ${epochs}`);
  const inputShape = inputShapeOf(student, data);
  const perExample = elementCount(inputShape);
  const classes = targets.length / data.count;
  const optimizer = tf.train.adam(learningRate);
  const variables = student.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const rng = createRng(seed);
  const started = performance.now();
  let loss = Number.NaN;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = Array.from({ length: data.count }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let lossSum = 0;
      for (let start = 0; start < data.count; start += batchSize) {
        const rows = order.slice(start, start + batchSize);
        const features = new Float32Array(rows.length * perExample);
        const soft = new Float32Array(rows.length * classes);
        const hard = new Float32Array(rows.length * classes);
        rows.forEach((example, row) => {
          features.set(data.features.subarray(example * perExample, (example + 1) * perExample), row * perExample);
          soft.set(targets.subarray(example * classes, (example + 1) * classes), row * classes);
          hard[row * classes + data.labels[example]!] = 1;
        });
        const batchLoss = tf.tidy(() => {
          const inputs = tf.tensor(features, [rows.length, ...inputShape]);
          const softTargetBatch = tf.tensor2d(soft, [rows.length, classes]);
          const hardTargetBatch = tf.tensor2d(hard, [rows.length, classes]);
          return optimizer.minimize(() => {
            const logProbabilities = tf.log(tf.clipByValue(student.apply(inputs, { training: true }) as tf.Tensor, PROBABILITY_FLOOR, 1));
            // log p = z − logsumexp(z), so log_softmax(log p / T) = log_softmax(z / T): the student's softened output.
            const softened = tf.logSoftmax(tf.div(logProbabilities, temperature));
            const softLoss = tf.mul(tf.neg(tf.mean(tf.sum(tf.mul(softTargetBatch, softened), -1))), temperature * temperature);
            const hardLoss = tf.neg(tf.mean(tf.sum(tf.mul(hardTargetBatch, logProbabilities), -1)));
            return tf.add(tf.mul(softLoss, 1 - hardLabelWeight), tf.mul(hardLoss, hardLabelWeight)) as tf.Scalar;
          }, true, variables)!;
        });
        lossSum += (await batchLoss.data())[0]! * rows.length;
        batchLoss.dispose();
      }
      loss = lossSum / data.count;
    }
  } finally {
    optimizer.dispose();
  }
  return { loss, durationMs: performance.now() - started };
}
