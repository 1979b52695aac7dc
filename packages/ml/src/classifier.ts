/** What Shoal requires of a model it trains: one input of fixed shape, one [batch, classes] softmax output. */
import * as tf from '@tensorflow/tfjs';
import { ShoalError, elementCount } from '@shoal/protocol';

export interface ClassifierShape {
  /** Per-example input shape, without the batch dimension. */
  inputShape: number[];
  numClasses: number;
}

function unsupported(model: tf.LayersModel, reason: string): ShoalError {
  return new ShoalError('UNSUPPORTED_MODEL', `Model '${model.name}' cannot be used as a classifier: ${reason}`);
}

export function classifierShape(model: tf.LayersModel): ClassifierShape {
  if (model.inputs.length !== 1) throw unsupported(model, `it has ${model.inputs.length} inputs; exactly one is supported`);
  if (model.outputs.length !== 1) throw unsupported(model, `it has ${model.outputs.length} outputs; exactly one is supported`);
  const [, ...inputShape] = model.inputs[0]!.shape;
  if (inputShape.length === 0 || inputShape.some((dim) => dim === null || dim <= 0)) {
    throw unsupported(model, `its input shape [${model.inputs[0]!.shape.join(', ')}] is not fully defined`);
  }
  const outputShape = model.outputs[0]!.shape;
  const numClasses = outputShape[1];
  if (outputShape.length !== 2 || numClasses === null || numClasses === undefined || numClasses < 2) {
    throw unsupported(model, `its output shape [${outputShape.join(', ')}] is not [batch, classes] with at least 2 classes`);
  }
  return { inputShape: inputShape as number[], numClasses };
}

export function featureSize(shape: ClassifierShape): number {
  return elementCount(shape.inputShape);
}

/** Follows the last layer (into nested models) and reports whether it applies a softmax. */
function endsWithSoftmax(layer: tf.layers.Layer): boolean {
  if (layer instanceof tf.LayersModel) {
    const last = layer.outputs.length === 1 ? layer.outputs[0]?.sourceLayer : undefined;
    return last !== undefined && endsWithSoftmax(last);
  }
  if (layer.getClassName() === 'Softmax') return true;
  const { activation } = layer.getConfig();
  return activation === 'softmax';
}

/** Training uses categorical cross-entropy on probabilities, so the output must be a softmax. */
export function assertSoftmaxClassifier(model: tf.LayersModel): ClassifierShape {
  const shape = classifierShape(model);
  // outputs[0].sourceLayer works for Sequential too, whose outputLayers stay empty.
  const last = model.outputs[0]!.sourceLayer;
  if (!endsWithSoftmax(last)) {
    throw unsupported(
      model,
      `its output layer '${last.name}' has no softmax activation; Shoal trains with categorical cross-entropy on class probabilities`,
    );
  }
  return shape;
}
