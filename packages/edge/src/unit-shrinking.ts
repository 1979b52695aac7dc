/**
 * Structured pruning that shrinks the architecture: drops the lowest-norm units (dense) or filters (conv) of each
 * hidden layer and the matching input weights of the next layer, so the smaller model really runs faster.
 */
import { ShoalError, elementCount, type NamedTensor } from '@shoal/protocol';

type JsonObject = Record<string, unknown>;

/** The config field that holds a weighted layer's output channel count. */
const CHANNEL_FIELD: Readonly<Record<string, string>> = { Dense: 'units', Conv2D: 'filters' };

/**
 * Layers that may stand between two weighted layers: each keeps channel c at positions ≡ c (mod C) of its output,
 * channels last, so the next layer's inputs for a dropped channel are known. Flatten and global pooling only before Dense.
 */
const SPATIAL_LAYERS = new Set(['MaxPooling2D', 'AveragePooling2D', 'ZeroPadding2D', 'SpatialDropout2D']);
const ELEMENTWISE_LAYERS = new Set(['Dropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU']);
const FLATTENING_LAYERS = new Set(['Flatten', 'GlobalMaxPooling2D', 'GlobalAveragePooling2D']);

export interface ShrunkModel {
  /** The Sequential topology with the smaller `units` / `filters`. */
  topology: JsonObject;
  /** The same tensors in the same order, with the dropped channels removed. */
  tensors: NamedTensor[];
  /** Output channels per shrunk layer, before and after, and which were kept. */
  layers: { name: string; before: number; after: number; kept: number[] }[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notShrinkable(reason: string): ShoalError {
  return new ShoalError('NOT_IMPLEMENTED', `structured pruning cannot shrink this model: ${reason}`);
}

function sequentialLayers(topology: JsonObject): JsonObject[] {
  const config = topology['config'];
  const layers = isObject(config) ? config['layers'] : undefined;
  if (topology['class_name'] !== 'Sequential' || !Array.isArray(layers) || !layers.every(isObject)) {
    throw notShrinkable(`only Sequential topologies are supported, got ${JSON.stringify(topology['class_name'])}`);
  }
  return layers.map((layer) => {
    if (!isObject(layer['config'])) throw notShrinkable('a layer has no config');
    return layer;
  });
}

const classOf = (layer: JsonObject): string => String(layer['class_name']);
const configOf = (layer: JsonObject): JsonObject => layer['config'] as JsonObject;

/** Whether the layers between two weighted layers keep channels identifiable, and whether they flatten them. */
function pathBetween(between: readonly JsonObject[], next: JsonObject): 'channels' | 'flattened' | undefined {
  let flattened = false;
  for (const layer of between) {
    const name = classOf(layer);
    const format = configOf(layer)['data_format'];
    if (format !== undefined && format !== 'channels_last') return undefined;
    if (FLATTENING_LAYERS.has(name) && !flattened) flattened = true;
    else if (!(ELEMENTWISE_LAYERS.has(name) || (SPATIAL_LAYERS.has(name) && !flattened))) return undefined;
  }
  if (flattened && classOf(next) !== 'Dense') return undefined;
  return flattened ? 'flattened' : 'channels';
}

/** L2 norm of each output channel (last axis) of a kernel. */
export function channelNorms(kernel: NamedTensor): Float64Array {
  const channels = kernel.shape.at(-1)!;
  const norms = new Float64Array(channels);
  kernel.values.forEach((value, index) => (norms[index % channels]! += value * value));
  return norms.map(Math.sqrt);
}

/** Keeps the entries whose index along `axis` of `shape` is marked in `keep`; returns the new values and shape. */
function keepAlongAxis(values: Float32Array, shape: readonly number[], axis: number, keep: Uint8Array): { values: Float32Array; shape: number[] } {
  const stride = elementCount(shape.slice(axis + 1));
  const extent = shape[axis]!;
  const kept = keep.reduce((sum, flag) => sum + flag, 0);
  const out = new Float32Array((values.length / extent) * kept);
  let at = 0;
  for (let index = 0; index < values.length; index++) if (keep[Math.floor(index / stride) % extent] === 1) out[at++] = values[index]!;
  return { values: out, shape: shape.map((dim, d) => (d === axis ? kept : dim)) };
}

/** Marks the `count` channels of largest norm (ties: lower index) to keep. */
function strongestChannels(norms: Float64Array, count: number): Uint8Array {
  const order = Array.from(norms.keys()).sort((a, b) => norms[b]! - norms[a]! || a - b);
  const keep = new Uint8Array(norms.length);
  for (const channel of order.slice(0, count)) keep[channel] = 1;
  return keep;
}

/**
 * Drops `fraction` of the output channels of every weighted layer (Dense, Conv2D) but the last, where the layers up to
 * the next weighted layer let its inputs be traced; other layers keep all their channels.
 */
export function shrinkUnits(topology: unknown, tensors: readonly NamedTensor[], fraction: number): ShrunkModel {
  if (!(fraction >= 0 && fraction < 1)) throw new ShoalError('VALIDATION_FAILED', `structured fraction must be in [0, 1), got ${fraction}`);
  if (!isObject(topology)) throw notShrinkable('the topology is not a JSON object');
  const shrunk = structuredClone(topology);
  const layers = sequentialLayers(shrunk);
  const byName = new Map(tensors.map((tensor) => [tensor.name, { ...tensor, shape: [...tensor.shape] }]));
  const kernelOf = (layer: JsonObject): NamedTensor | undefined => byName.get(`${String(configOf(layer)['name'])}/kernel`);
  const weighted = layers.flatMap((layer, index) => (CHANNEL_FIELD[classOf(layer)] !== undefined && kernelOf(layer) !== undefined ? [index] : []));
  const report: ShrunkModel['layers'] = [];

  weighted.slice(0, -1).forEach((index, position) => {
    const layer = layers[index]!;
    const nextIndex = weighted[position + 1]!;
    const path = pathBetween(layers.slice(index + 1, nextIndex), layers[nextIndex]!);
    const kernel = kernelOf(layer)!;
    const channels = kernel.shape.at(-1)!;
    const keepCount = Math.max(1, Math.round((1 - fraction) * channels));
    const next = kernelOf(layers[nextIndex]!)!;
    if (path === undefined || keepCount === channels || (path === 'flattened' && next.shape[0]! % channels !== 0)) return;
    const keep = strongestChannels(channelNorms(kernel), keepCount);
    const name = String(configOf(layer)['name']);
    byName.set(kernel.name, { ...kernel, ...keepAlongAxis(kernel.values, kernel.shape, kernel.shape.length - 1, keep) });
    const bias = byName.get(`${name}/bias`);
    if (bias !== undefined) byName.set(bias.name, { ...bias, ...keepAlongAxis(bias.values, bias.shape, 0, keep) });
    // Dense after Flatten: rows are positions × channels, channel fastest; Conv2D: input channels are axis 2.
    const nextInput =
      path === 'flattened'
        ? keepAlongAxis(next.values, [next.shape[0]! / channels, channels, next.shape[1]!], 1, keep)
        : keepAlongAxis(next.values, next.shape, next.shape.length - 2, keep);
    byName.set(next.name, { ...next, values: nextInput.values, shape: path === 'flattened' ? [nextInput.shape[0]! * keepCount, next.shape[1]!] : nextInput.shape });
    configOf(layer)[CHANNEL_FIELD[classOf(layer)]!] = keepCount;
    report.push({ name, before: channels, after: keepCount, kept: Array.from(keep.keys()).filter((channel) => keep[channel] === 1) });
  });
  return { topology: shrunk, tensors: tensors.map((tensor) => byName.get(tensor.name)!), layers: report };
}
