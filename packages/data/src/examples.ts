/** The in-memory shape of a labelled classification data set, and the checks every producer and consumer shares. */
import { ShoalError } from '@shoal/protocol';

export interface LabeledExamples {
  /** count * prod(featureShape) values, row-major; MNIST pixels scaled to [0, 1]. */
  features: Float32Array;
  /** Class index per example. */
  labels: Uint8Array;
  count: number;
  /** Shape of one example; MNIST: [28, 28, 1]. */
  featureShape: number[];
  numClasses: number;
}

/** Values per example: the product of the feature shape. */
export function featureSize(featureShape: readonly number[]): number {
  return featureShape.reduce((product, extent) => product * extent, 1);
}

function invalid(message: string, field: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', message, { details: { field } });
}

/** Throws VALIDATION_FAILED naming the first inconsistent field of `data`. */
export function assertLabeledExamples(data: LabeledExamples): void {
  const { features, labels, count, featureShape, numClasses } = data;
  if (!Number.isSafeInteger(count) || count < 0) throw invalid(`count must be a non-negative integer, got ${count}`, 'count');
  if (!Array.isArray(featureShape) || featureShape.length === 0 || !featureShape.every((extent) => Number.isSafeInteger(extent) && extent > 0)) {
    throw invalid(`featureShape must be a non-empty list of positive integers, got ${JSON.stringify(featureShape)}`, 'featureShape');
  }
  if (!Number.isInteger(numClasses) || numClasses < 2 || numClasses > 256) {
    throw invalid(`numClasses must be an integer in [2, 256] (labels are bytes), got ${numClasses}`, 'numClasses');
  }
  if (!(features instanceof Float32Array) || features.length !== count * featureSize(featureShape)) {
    throw invalid(`features must be a Float32Array of count * prod(featureShape) = ${count * featureSize(featureShape)} values`, 'features');
  }
  if (!(labels instanceof Uint8Array) || labels.length !== count) {
    throw invalid(`labels must be a Uint8Array of count = ${count} values`, 'labels');
  }
  const outOfRange = labels.findIndex((label) => label >= numClasses);
  if (outOfRange !== -1) {
    throw invalid(`labels[${outOfRange}] = ${labels[outOfRange]} is not below numClasses = ${numClasses}`, 'labels');
  }
}

/** Checks that every index names an example, so a bad index fails loudly instead of reading undefined. */
export function assertIndices(indices: ArrayLike<number>, count: number, field = 'indices'): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw invalid(`${field}[${i}] = ${index} is not an example index in [0, ${count})`, field);
    }
  }
}
