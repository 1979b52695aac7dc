/**
 * Checks an inference input against a model's input shape and flattens it to float32, refusing anything else with
 * an error that says what was expected. One example is a flat list of values, a typed array, or a nested list of the
 * model's input shape (trailing dimensions of 1 may be left out: 28×28 for an input of [28, 28, 1]).
 */
import { ShoalError, elementCount } from '@shoal/protocol';

/** One example as a caller may give it. */
export type ExampleInput = ArrayLike<number> | readonly unknown[];

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function invalid(message: string, field: string): ShoalError {
  return new ShoalError('VALIDATION_FAILED', message, { details: { field } });
}

function isNumericTypedArray(value: unknown): value is ArrayLike<number> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function copyFinite(values: ArrayLike<unknown>, target: Float32Array, offset: number, field: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalid(`${field}[${offset + i}] is ${describeValue(value)}; inputs must be finite numbers`, field);
    }
    target[offset + i] = value;
  }
}

/** The dimensions of a nested list, following first elements: [[1,2],[3,4],[5,6]] → [3, 2]. */
function nestedDimensions(value: readonly unknown[]): number[] {
  const dimensions: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    dimensions.push(level.length);
    level = level[0];
  }
  return dimensions;
}

/** The accepted nested shapes: the input shape, and the same without its trailing dimensions of 1. */
function acceptsNestedShape(dimensions: readonly number[], inputShape: readonly number[]): boolean {
  const trimmed = [...inputShape];
  for (;;) {
    if (dimensions.length === trimmed.length && dimensions.every((d, i) => d === trimmed[i])) return true;
    if (trimmed.length <= 1 || trimmed[trimmed.length - 1] !== 1) return false;
    trimmed.pop();
  }
}

function flattenNested(value: readonly unknown[], dimensions: readonly number[], depth: number, target: Float32Array, offset: number, field: string): number {
  if (value.length !== dimensions[depth]) {
    throw new ShoalError('SHAPE_MISMATCH', `${field} is ragged: a list at depth ${depth} has ${value.length} entries, expected ${dimensions[depth]}`, { details: { field } });
  }
  if (depth === dimensions.length - 1) {
    copyFinite(value, target, offset, field);
    return offset + value.length;
  }
  let next = offset;
  for (const item of value) {
    if (!Array.isArray(item)) throw invalid(`${field} mixes lists and ${describeValue(item)} at depth ${depth + 1}`, field);
    next = flattenNested(item, dimensions, depth + 1, target, next, field);
  }
  return next;
}

/** One example, checked against `inputShape`, as a new Float32Array of prod(inputShape) values. */
export function flattenExample(input: unknown, inputShape: readonly number[], field = 'input'): Float32Array {
  const size = elementCount([...inputShape]);
  const expected = `the model takes ${size} values per example (input shape ${shapeText(inputShape)})`;
  const isList = Array.isArray(input);
  if (!isList && !isNumericTypedArray(input)) {
    throw invalid(`${field} must be a list of numbers, a nested list of shape ${shapeText(inputShape)} or a typed array, got ${describeValue(input)}`, field);
  }
  const values = new Float32Array(size);
  if (isList && input.length > 0 && Array.isArray(input[0])) {
    const dimensions = nestedDimensions(input);
    if (!acceptsNestedShape(dimensions, inputShape)) {
      throw new ShoalError('SHAPE_MISMATCH', `${field} has shape ${shapeText(dimensions)}; ${expected}`, { details: { field } });
    }
    flattenNested(input, dimensions, 0, values, 0, field);
    return values;
  }
  const flat = input as ArrayLike<unknown>;
  if (flat.length !== size) throw new ShoalError('SHAPE_MISMATCH', `${field} has ${flat.length} values; ${expected}`, { details: { field } });
  copyFinite(flat, values, 0, field);
  return values;
}

/**
 * A request's `inputs`: one flat example (a list of numbers), or a list of examples (each flat or nested).
 * A single nested example must be wrapped in a list, since [[...28 values] × 28] reads as 28 examples.
 */
export function flattenExamples(inputs: unknown, inputShape: readonly number[], maxExamples: number): Float32Array[] {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw invalid(`inputs must be a non-empty list: one example's values, or a list of examples`, 'inputs');
  }
  if (!Array.isArray(inputs[0]) && !isNumericTypedArray(inputs[0])) return [flattenExample(inputs, inputShape, 'inputs')];
  if (inputs.length > maxExamples) {
    throw new ShoalError('PAYLOAD_TOO_LARGE', `inputs holds ${inputs.length} examples; at most ${maxExamples} are taken per request`);
  }
  return inputs.map((example, i) => flattenExample(example, inputShape, `inputs[${i}]`));
}
