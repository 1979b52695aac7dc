/** The two MNIST models of McMahan et al. 2017 ("Communication-Efficient Learning of Deep Networks from Decentralized Data"). */
import * as tf from '@tensorflow/tfjs';
import { ShoalError } from '@shoal/protocol';

export type PresetName = 'mnist-2nn' | 'mnist-cnn';

export interface ModelPreset {
  name: PresetName;
  description: string;
  inputShape: number[];
  numClasses: number;
  parameterCount: number;
}

export const PRESETS: Readonly<Record<PresetName, Readonly<ModelPreset>>> = {
  'mnist-2nn': {
    name: 'mnist-2nn',
    description: 'MLP 784-200-200-10, ReLU hidden layers, softmax output (the paper\'s "2NN")',
    inputShape: [784],
    numClasses: 10,
    parameterCount: 199_210,
  },
  'mnist-cnn': {
    name: 'mnist-cnn',
    description: 'Conv5x5x32-MaxPool2-Conv5x5x64-MaxPool2-Dense512-Dense10, ReLU, softmax output (the paper\'s "CNN")',
    inputShape: [28, 28, 1],
    numClasses: 10,
    parameterCount: 1_663_370,
  },
};

export interface BuildPresetOptions {
  /** Same seed, same initial weights. Without it the weights are random. */
  seed?: number;
}

/** Each weighted layer gets its own seed so layers of equal shape do not start identical. */
function kernelInitializer(seed: number | undefined, layerIndex: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed * 101 + layerIndex });
}

function buildTwoLayerPerceptron(seed: number | undefined): tf.Sequential {
  const preset = PRESETS['mnist-2nn'];
  return tf.sequential({
    name: preset.name,
    layers: [
      tf.layers.dense({ name: 'fc1', inputShape: preset.inputShape, units: 200, activation: 'relu', kernelInitializer: kernelInitializer(seed, 1) }),
      tf.layers.dense({ name: 'fc2', units: 200, activation: 'relu', kernelInitializer: kernelInitializer(seed, 2) }),
      tf.layers.dense({ name: 'output', units: preset.numClasses, activation: 'softmax', kernelInitializer: kernelInitializer(seed, 3) }),
    ],
  });
}

function buildConvolutional(seed: number | undefined): tf.Sequential {
  const preset = PRESETS['mnist-cnn'];
  return tf.sequential({
    name: preset.name,
    layers: [
      tf.layers.conv2d({ name: 'conv1', inputShape: preset.inputShape, filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: kernelInitializer(seed, 1) }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: kernelInitializer(seed, 2) }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 512, activation: 'relu', kernelInitializer: kernelInitializer(seed, 3) }),
      tf.layers.dense({ name: 'output', units: preset.numClasses, activation: 'softmax', kernelInitializer: kernelInitializer(seed, 4) }),
    ],
  });
}

export function buildPresetModel(name: PresetName, options: BuildPresetOptions = {}): tf.LayersModel {
  const { seed } = options;
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new ShoalError('VALIDATION_FAILED', `seed must be an integer, got ${seed}`);
  }
  switch (name) {
    case 'mnist-2nn':
      return buildTwoLayerPerceptron(seed);
    case 'mnist-cnn':
      return buildConvolutional(seed);
    default:
      throw new ShoalError('UNSUPPORTED_MODEL', `Unknown model preset '${String(name)}'; use one of ${Object.keys(PRESETS).join(', ')}`);
  }
}
