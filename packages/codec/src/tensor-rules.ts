/** The rules a tensor's name and shape obey in a frame; the encoder and the header parser share them. */
import { MAX_DIMENSION, MAX_TENSOR_NAME_LENGTH, MAX_TENSOR_RANK } from './frame-format.js';

/** Counts Unicode code points, as JSON Schema's maxLength does, so other languages agree on the limit. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Why `name` is not a valid tensor name, or undefined when it is. */
export function tensorNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `name must be a string, got ${describeType(name)}`;
  const length = codePointLength(name);
  if (length < 1 || length > MAX_TENSOR_NAME_LENGTH) {
    return `name must be 1 to ${MAX_TENSOR_NAME_LENGTH} characters, got ${length}`;
  }
  return undefined;
}

/** Why `shape` is not a valid tensor shape, or undefined when it is. `[]` is a scalar. */
export function tensorShapeProblem(shape: unknown): string | undefined {
  if (!Array.isArray(shape)) return `shape must be an array of integers, got ${describeType(shape)}`;
  if (shape.length > MAX_TENSOR_RANK) return `shape has ${shape.length} dimensions; at most ${MAX_TENSOR_RANK} are allowed`;
  for (let axis = 0; axis < shape.length; axis++) {
    const dimension: unknown = shape[axis];
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
      return `shape[${axis}] is ${JSON.stringify(dimension) ?? String(dimension)}; dimensions are integers from 1 to ${MAX_DIMENSION}`;
    }
  }
  return undefined;
}

export function isTensorName(value: unknown): value is string {
  return tensorNameProblem(value) === undefined;
}

export function isTensorShape(value: unknown): value is number[] {
  return tensorShapeProblem(value) === undefined;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}
