/** Model weights as named flat tensors: the form codecs, strategies and the wire work with. */
import * as tf from '@tensorflow/tfjs';
import { ShoalError, elementCount, type NamedTensor, type TensorSpec } from '@shoal/protocol';

/**
 * tfjs suffixes `variable.name` when a name is already taken in the process ("fc1/kernel_1"), so two
 * copies of one architecture would disagree. `originalName` ("fc1/kernel") is the name tfjs itself
 * uses to match weight manifests, and depends only on the architecture.
 */
function weightName(variable: tf.LayerVariable): string {
  return variable.originalName;
}

function modelWeights(model: tf.LayersModel): tf.LayerVariable[] {
  const variables = model.weights;
  const seen = new Set<string>();
  for (const variable of variables) {
    const name = weightName(variable);
    if (seen.has(name)) {
      throw new ShoalError('UNSUPPORTED_MODEL', `Model '${model.name}' has two weights named '${name}'; give its layers unique names`);
    }
    if (variable.dtype !== 'float32') {
      throw new ShoalError('UNSUPPORTED_MODEL', `Weight '${name}' is ${variable.dtype}; only float32 weights are supported`);
    }
    seen.add(name);
  }
  return variables;
}

export function weightSpecs(model: tf.LayersModel): TensorSpec[] {
  return modelWeights(model).map((variable) => ({ name: weightName(variable), shape: [...variable.shape] as number[] }));
}

/** Copies of the current values, in the model's weight order. */
export function getWeights(model: tf.LayersModel): NamedTensor[] {
  return modelWeights(model).map((variable) => {
    const value = variable.read();
    // The cpu backend's dataSync returns its own storage, so copy before handing it out.
    return { name: weightName(variable), shape: [...value.shape], values: new Float32Array(value.dataSync()) };
  });
}

function mismatch(message: string, name?: string): ShoalError {
  return new ShoalError('SHAPE_MISMATCH', message, name === undefined ? {} : { details: { tensor: name } });
}

/** Validates every tensor before writing any, so a bad update leaves the model unchanged. */
export function setWeights(model: tf.LayersModel, tensors: NamedTensor[]): void {
  const variables = modelWeights(model);
  if (tensors.length !== variables.length) {
    throw mismatch(`Model '${model.name}' has ${variables.length} weight tensors, got ${tensors.length}`);
  }
  variables.forEach((variable, index) => {
    const tensor = tensors[index]!;
    const name = weightName(variable);
    if (tensor.name !== name) {
      throw mismatch(`Weight ${index} of model '${model.name}' is '${name}', got '${tensor.name}'`, name);
    }
    const expected = variable.shape as number[];
    if (tensor.shape.length !== expected.length || tensor.shape.some((dim, axis) => dim !== expected[axis])) {
      throw mismatch(`Weight '${name}' has shape [${expected.join(', ')}], got [${tensor.shape.join(', ')}]`, name);
    }
    if (!(tensor.values instanceof Float32Array) || tensor.values.length !== elementCount(expected)) {
      throw mismatch(`Weight '${name}' needs ${elementCount(expected)} float32 values, got ${tensor.values?.length ?? 'none'}`, name);
    }
  });
  tf.tidy(() => {
    variables.forEach((variable, index) => {
      const tensor = tensors[index]!;
      // Copy: the cpu backend would otherwise keep the caller's array as the weight's storage.
      variable.write(tf.tensor(tensor.values.slice(), tensor.shape, 'float32'));
    });
  });
}
