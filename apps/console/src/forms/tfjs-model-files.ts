/**
 * Reads an uploaded tfjs Layers model: `model.json` (topology + weights manifest) and its binary weight shards.
 * The topology goes to the coordinator as the job's model; the weights, when given, become its initial weights frame,
 * tensors in the manifest's order (which is the model's own order for models saved by tfjs).
 */
import { encodeWeightsFrame, toBase64, type WeightTensor } from './weights-frame.js';

export interface ParsedModel {
  topology: Record<string, unknown>;
  /** Base64 of the weights frame; undefined when no weight files were chosen. */
  initialWeights: string | undefined;
  tensors: number;
  parameters: number;
}

/** Where a problem was found, so the form can show it next to the right file input. */
export class ModelFileError extends Error {
  constructor(
    readonly input: 'topology' | 'weights',
    message: string,
  ) {
    super(message);
  }
}

interface ManifestEntry {
  paths: string[];
  weights: { name: string; shape: number[]; dtype?: string; quantization?: unknown }[];
}

function manifestOf(model: Record<string, unknown>): ManifestEntry[] {
  const manifest = model['weightsManifest'];
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw new ModelFileError('topology', 'weightsManifest must be a list');
  return manifest.map((group: unknown, index) => {
    const { paths, weights } = (group ?? {}) as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !Array.isArray(weights)) {
      throw new ModelFileError('topology', `weightsManifest[${index}] needs paths and weights lists`);
    }
    return { paths, weights } as ManifestEntry;
  });
}

export function parseModelJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ModelFileError('topology', 'model.json is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ModelFileError('topology', 'model.json must hold a JSON object');
  const model = parsed as Record<string, unknown>;
  if (typeof model['modelTopology'] !== 'object' && typeof model['class_name'] !== 'string') {
    throw new ModelFileError('topology', 'this is not a tfjs Layers model.json (it has no modelTopology)');
  }
  return model;
}

const baseName = (path: string): string => path.split('/').pop() ?? path;

/** Joins the shards named by the manifest (matched by file name) and cuts them into float32 tensors. */
export function weightsFromShards(manifest: readonly ManifestEntry[], shards: ReadonlyMap<string, ArrayBuffer>): WeightTensor[] {
  const tensors: WeightTensor[] = [];
  for (const group of manifest) {
    const buffers = group.paths.map((path) => {
      const shard = shards.get(baseName(path));
      if (shard === undefined) throw new ModelFileError('weights', `the weight file ${baseName(path)} named by model.json was not chosen`);
      return new Uint8Array(shard);
    });
    const joined = new Uint8Array(buffers.reduce((sum, b) => sum + b.length, 0));
    buffers.reduce((offset, b) => (joined.set(b, offset), offset + b.length), 0);
    let offset = 0;
    for (const weight of group.weights) {
      if ((weight.dtype ?? 'float32') !== 'float32' || weight.quantization !== undefined) {
        throw new ModelFileError('weights', `weight '${weight.name}' is ${weight.quantization === undefined ? weight.dtype : 'quantized'}; only float32 weights can be uploaded`);
      }
      const count = weight.shape.reduce((product, dim) => product * dim, 1);
      if (offset + count * 4 > joined.length) throw new ModelFileError('weights', `the weight files end before weight '${weight.name}'`);
      const values = new Float32Array(count);
      const view = new DataView(joined.buffer, joined.byteOffset + offset, count * 4);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
      tensors.push({ name: weight.name, shape: [...weight.shape], values });
      offset += count * 4;
    }
    if (offset !== joined.length) throw new ModelFileError('weights', `the weight files hold ${joined.length - offset} bytes more than model.json describes`);
  }
  return tensors;
}

export async function readModelFiles(modelFile: File, weightFiles: readonly File[]): Promise<ParsedModel> {
  const model = parseModelJson(await modelFile.text());
  const manifest = manifestOf(model);
  const specs = manifest.flatMap((group) => group.weights);
  const parameters = specs.reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);
  let initialWeights: string | undefined;
  if (weightFiles.length > 0) {
    if (manifest.length === 0) throw new ModelFileError('weights', 'model.json has no weightsManifest, so the weight files cannot be read');
    const shards = new Map(await Promise.all(weightFiles.map(async (file) => [file.name, await file.arrayBuffer()] as const)));
    initialWeights = toBase64(encodeWeightsFrame(weightsFromShards(manifest, shards)));
  }
  const { weightsManifest: _manifest, ...topology } = model;
  return { topology, initialWeights, tensors: specs.length, parameters };
}
