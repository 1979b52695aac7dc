/** Checks a validated header against what the receiver expects: the frame kind, the model's tensors, the targets. */
import { ShoalError, elementCount, type TensorSpec } from '@shoal/protocol';
import { malformed } from './frame-errors.js';
import type { FrameHeader, FrameKind } from './frame-format.js';

export interface FrameExpectations {
  /** The model's tensors in weight order; the frame must match names and shapes exactly. */
  expected?: readonly TensorSpec[];
  expectedKind?: FrameKind;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dimension, axis) => dimension === b[axis]);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A wrong kind is FRAME_MALFORMED (the frame is not the message's frame); any tensor difference is SHAPE_MISMATCH. */
export function checkExpectations(header: FrameHeader, { expected, expectedKind }: FrameExpectations): void {
  if (expectedKind !== undefined && header.kind !== expectedKind) {
    throw malformed(`frame kind is '${header.kind}'; expected '${expectedKind}'`, { kind: header.kind, expectedKind });
  }
  if (expected === undefined) return;
  if (header.tensors.length !== expected.length) {
    throw new ShoalError('SHAPE_MISMATCH', `frame has ${header.tensors.length} tensors; the model has ${expected.length}`, {
      details: { tensors: header.tensors.length, expectedTensors: expected.length },
    });
  }
  header.tensors.forEach((tensor, index) => {
    const spec = expected[index]!;
    if (tensor.name !== spec.name) {
      throw new ShoalError('SHAPE_MISMATCH', `tensor ${index} is '${tensor.name}'; the model expects '${spec.name}'`, {
        details: { tensor: tensor.name, tensorIndex: index, expectedName: spec.name },
      });
    }
    if (!sameShape(tensor.shape, spec.shape)) {
      throw new ShoalError('SHAPE_MISMATCH', `tensor '${tensor.name}' has shape ${shapeText(tensor.shape)}; the model expects ${shapeText(spec.shape)}`, {
        details: { tensor: tensor.name, tensorIndex: index, shape: tensor.shape, expectedShape: [...spec.shape] },
      });
    }
  });
}

/** Each target must have exactly the element count of its tensor, so accumulation never writes out of bounds. */
export function checkTargets(header: FrameHeader, targets: readonly Float32Array[]): void {
  if (targets.length !== header.tensors.length) {
    throw new ShoalError('SHAPE_MISMATCH', `frame has ${header.tensors.length} tensors; ${targets.length} targets were given`, {
      details: { tensors: header.tensors.length, targets: targets.length },
    });
  }
  header.tensors.forEach((tensor, index) => {
    const target = targets[index]!;
    const elements = elementCount(tensor.shape);
    if (!(target instanceof Float32Array) || target.length !== elements) {
      throw new ShoalError('SHAPE_MISMATCH', `tensor '${tensor.name}' has ${elements} elements; its target has ${String(target?.length)}`, {
        details: { tensor: tensor.name, tensorIndex: index, elements },
      });
    }
  });
}
