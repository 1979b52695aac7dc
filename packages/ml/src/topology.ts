/** Builds tfjs Layers models from JSON topologies sent by the coordinator, refusing what Shoal cannot train. */
import * as tf from '@tensorflow/tfjs';
import { ShoalError } from '@shoal/protocol';
import { assertSoftmaxClassifier } from './classifier.js';

type JsonObject = Record<string, unknown>;

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unsupported(message: string, cause?: unknown): ShoalError {
  return new ShoalError('UNSUPPORTED_MODEL', message, cause === undefined ? {} : { cause });
}

/** Accepts a tfjs model.json (`modelTopology`, possibly wrapping Keras's `model_config`) or a bare {class_name, config}. */
function bareTopology(json: unknown): JsonObject {
  if (!isObject(json)) throw unsupported('A model topology must be a JSON object');
  let topology: unknown = json;
  if ('modelTopology' in json) {
    if (json['format'] === 'graph-model') throw unsupported('Graph models cannot be trained; send a Layers model topology');
    topology = json['modelTopology'];
  }
  if (isObject(topology) && isObject(topology['model_config'])) topology = topology['model_config'];
  if (!isObject(topology)) throw unsupported('modelTopology must be a JSON object');
  const className = topology['class_name'];
  if (typeof className !== 'string' || !MODEL_CLASSES.has(className)) {
    throw unsupported(`Topology class_name must be one of ${[...MODEL_CLASSES].join(', ')}, got ${JSON.stringify(className)}`);
  }
  if (!isObject(topology['config'])) throw unsupported(`Topology of class ${className} has no config object`);
  return topology;
}

/** Names every layer class in the topology (nested models included) that this tfjs build does not know. */
function unknownLayerClasses(topology: JsonObject, known: Set<string>, found: Set<string> = new Set()): Set<string> {
  const config = topology['config'];
  const layers = isObject(config) ? config['layers'] : Array.isArray(config) ? config : undefined;
  if (!Array.isArray(layers)) return found;
  for (const layer of layers) {
    if (!isObject(layer) || typeof layer['class_name'] !== 'string') {
      found.add(JSON.stringify(isObject(layer) ? layer['class_name'] : layer));
      continue;
    }
    const className = layer['class_name'];
    if (MODEL_CLASSES.has(className)) unknownLayerClasses(layer, known, found);
    else if (!known.has(className)) found.add(className);
  }
  return found;
}

/**
 * Gives every initializer in the topology that has no seed of its own a seed derived from `seed`, its layer and its
 * role, so a topology model's initial weights are as reproducible as a preset's (and keep the model's own choice of
 * initializer). Returns a copy; the input is not changed.
 */
export function seedInitializers(topology: JsonObject, seed: number): JsonObject {
  const copy = structuredClone(topology);
  let counter = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key.endsWith('_initializer') && isObject(value) && typeof value['class_name'] === 'string') {
        const config = isObject(value['config']) ? value['config'] : (value['config'] = {});
        // Seeds stay within 2^31 so every initializer's PRNG takes them as given.
        if ((config as JsonObject)['seed'] === undefined || (config as JsonObject)['seed'] === null) (config as JsonObject)['seed'] = (seed * 7919 + ++counter * 104_729) % 2_147_483_647;
      } else visit(value);
    }
  };
  visit(copy);
  return copy;
}

/**
 * Builds the model; with `seed`, its initial weights depend only on the seed and the topology (initializers the
 * topology leaves implicit are made explicit by a first build, then seeded).
 */
export async function modelFromTopology(json: unknown, options: { seed?: number } = {}): Promise<tf.LayersModel> {
  if (options.seed === undefined) return buildFromTopology(bareTopology(json));
  const explicit = await buildFromTopology(bareTopology(json));
  const topology = modelToTopology(explicit) as JsonObject;
  explicit.dispose();
  return buildFromTopology(seedInitializers(topology, options.seed));
}

async function buildFromTopology(topology: JsonObject): Promise<tf.LayersModel> {
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
  const unknown = unknownLayerClasses(topology, known);
  if (unknown.size > 0) {
    throw unsupported(`The topology uses layer classes this runtime does not provide: ${[...unknown].join(', ')}`);
  }
  let model: tf.LayersModel;
  try {
    // Weights are deliberately not loaded here: they arrive over the protocol and go through setWeights.
    model = await tf.models.modelFromJSON({ modelTopology: topology } as Parameters<typeof tf.models.modelFromJSON>[0]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw unsupported(`The model cannot be built from its topology: ${reason}`, error);
  }
  try {
    assertSoftmaxClassifier(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** The bare Keras-style topology ({class_name, config, ...}) that modelFromTopology accepts back. */
export function modelToTopology(model: tf.LayersModel): object {
  const json = model.toJSON(null, false);
  if (!isObject(json)) throw new ShoalError('INTERNAL', `Model '${model.name}' did not serialise to a JSON object`);
  return json;
}
