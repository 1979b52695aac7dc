/** Parses a frame's header bytes (UTF-8 JSON) from unknown into typed tensor entries, within the limits. */
import { ShoalError, elementCount } from '@shoal/protocol';
import type { FrameTensorEntry } from './frame-format.js';
import type { FrameLimits } from './frame-limits.js';
import { malformed } from './frame-errors.js';
import { describeType, isTensorName, isTensorShape, tensorNameProblem, tensorShapeProblem } from './tensor-rules.js';

export interface WireFrameHeader {
  codec: { id: string; params: Record<string, unknown> };
  tensors: FrameTensorEntry[];
}

// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM keeps a BOM so JSON.parse refuses it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses a value that is not an object with exactly the `required` keys. */
function exactObject(value: unknown, where: string, required: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw malformed(`frame header: ${where} must be an object, got ${describeType(value)}`);
  for (const key of Object.keys(value)) {
    if (!required.includes(key)) throw malformed(`frame header: ${where} has unexpected key '${key}'`, { key });
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) {
      throw malformed(`frame header: ${where} is missing key '${key}'`, { key });
    }
  }
  return value;
}

function parseJson(headerBytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch (error) {
    throw new ShoalError('FRAME_MALFORMED', 'frame header is not valid UTF-8', { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShoalError('FRAME_MALFORMED', `frame header is not valid JSON: ${reason}`, { cause: error });
  }
}

function parseCodec(value: unknown): WireFrameHeader['codec'] {
  const codec = exactObject(value, 'codec', ['id', 'params']);
  if (typeof codec['id'] !== 'string') throw malformed(`frame header: codec.id must be a string, got ${describeType(codec['id'])}`);
  if (!isPlainObject(codec['params'])) {
    throw malformed(`frame header: codec.params must be an object, got ${describeType(codec['params'])}`);
  }
  return { id: codec['id'], params: codec['params'] };
}

function parseTensor(value: unknown, index: number, seen: Set<string>): FrameTensorEntry {
  const where = `tensors[${index}]`;
  const tensor = exactObject(value, where, ['name', 'shape', 'byteLength']);
  const { name, shape, byteLength } = tensor;
  if (!isTensorName(name)) throw malformed(`frame header: ${where} ${tensorNameProblem(name)}`, { tensorIndex: index });
  if (!isTensorShape(shape)) {
    throw malformed(`frame header: tensor '${name}' ${tensorShapeProblem(shape)}`, { tensor: name, tensorIndex: index });
  }
  if (typeof byteLength !== 'number' || !Number.isSafeInteger(byteLength) || byteLength < 0) {
    throw malformed(`frame header: tensor '${name}' byteLength must be a non-negative integer, got ${describeType(byteLength)}`, {
      tensor: name,
      tensorIndex: index,
    });
  }
  if (seen.has(name)) throw malformed(`frame header: tensor name '${name}' appears more than once`, { tensor: name, tensorIndex: index });
  seen.add(name);
  return { name, shape, byteLength };
}

/**
 * Checks key sets and types strictly (no extra or missing keys) and applies the tensor-count and
 * element limits while walking, so no later step trusts a size the limits have not bounded.
 */
export function parseFrameHeaderJson(headerBytes: Uint8Array, limits: FrameLimits): WireFrameHeader {
  const header = exactObject(parseJson(headerBytes), 'the top level', ['codec', 'tensors']);
  const codec = parseCodec(header['codec']);
  const list = header['tensors'];
  if (!Array.isArray(list)) throw malformed(`frame header: tensors must be an array, got ${describeType(list)}`);
  if (list.length > limits.maxTensors) {
    throw new ShoalError('PAYLOAD_TOO_LARGE', `frame has ${list.length} tensors; limit is ${limits.maxTensors}`, {
      details: { tensors: list.length, limit: limits.maxTensors },
    });
  }
  const seen = new Set<string>();
  const tensors: FrameTensorEntry[] = [];
  let totalElements = 0;
  for (let index = 0; index < list.length; index++) {
    const tensor = parseTensor(list[index], index, seen);
    const elements = elementCount(tensor.shape);
    if (elements > limits.maxElements) {
      throw new ShoalError('PAYLOAD_TOO_LARGE', `tensor '${tensor.name}' claims ${elements} elements; limit is ${limits.maxElements}`, {
        details: { tensor: tensor.name, tensorIndex: index, elements, limit: limits.maxElements },
      });
    }
    totalElements += elements;
    if (totalElements > limits.maxElements) {
      const claim = `tensors up to '${tensor.name}' claim ${totalElements} elements in total; limit is ${limits.maxElements}`;
      throw new ShoalError('PAYLOAD_TOO_LARGE', claim, {
        details: { tensor: tensor.name, tensorIndex: index, elements: totalElements, limit: limits.maxElements },
      });
    }
    tensors.push(tensor);
  }
  return { codec, tensors };
}
