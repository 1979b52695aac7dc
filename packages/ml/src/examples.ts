/** Checks labelled examples against a model and cuts them into input and one-hot label tensors. */
import * as tf from '@tensorflow/tfjs';
import { ShoalError, elementCount } from '@shoal/protocol';
import type { LabeledExamples } from '@shoal/data';
import { featureSize, type ClassifierShape } from './classifier.js';

export function assertExamplesFit(data: LabeledExamples, shape: ClassifierShape): void {
  const { count } = data;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ShoalError('VALIDATION_FAILED', `data.count must be a non-negative integer, got ${count}`);
  }
  const perExample = elementCount(data.featureShape);
  if (data.features.length !== count * perExample) {
    throw new ShoalError(
      'VALIDATION_FAILED',
      `data.features has ${data.features.length} values; ${count} examples of shape [${data.featureShape.join(', ')}] need ${count * perExample}`,
    );
  }
  if (data.labels.length !== count) {
    throw new ShoalError('VALIDATION_FAILED', `data.labels has ${data.labels.length} entries for ${count} examples`);
  }
  if (perExample !== featureSize(shape)) {
    throw new ShoalError(
      'SHAPE_MISMATCH',
      `Examples of shape [${data.featureShape.join(', ')}] do not fit the model input [${shape.inputShape.join(', ')}]`,
    );
  }
  if (data.numClasses !== shape.numClasses) {
    throw new ShoalError('SHAPE_MISMATCH', `The data has ${data.numClasses} classes but the model outputs ${shape.numClasses}`);
  }
  for (let i = 0; i < count; i++) {
    if (data.labels[i]! >= shape.numClasses) {
      throw new ShoalError('VALIDATION_FAILED', `Label ${data.labels[i]} of example ${i} is not below numClasses ${shape.numClasses}`);
    }
  }
}

export interface Batch {
  inputs: tf.Tensor;
  targets: tf.Tensor2D;
  size: number;
}

/** Gathers examples order[start..end) into fresh arrays (the cpu backend keeps the array it is given). */
export function makeBatch(data: LabeledExamples, shape: ClassifierShape, order: Int32Array, start: number, end: number): Batch {
  const size = end - start;
  const perExample = featureSize(shape);
  const features = new Float32Array(size * perExample);
  const oneHot = new Float32Array(size * shape.numClasses);
  for (let row = 0; row < size; row++) {
    const example = order[start + row]!;
    features.set(data.features.subarray(example * perExample, (example + 1) * perExample), row * perExample);
    oneHot[row * shape.numClasses + data.labels[example]!] = 1;
  }
  return {
    inputs: tf.tensor(features, [size, ...shape.inputShape], 'float32'),
    targets: tf.tensor2d(oneHot, [size, shape.numClasses], 'float32'),
    size,
  };
}

export function assertPositiveInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ShoalError('VALIDATION_FAILED', `${name} must be a positive integer, got ${String(value)}`);
  }
}
