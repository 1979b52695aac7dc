/** Test support: hostile frames for fuzzing — random bytes, and valid frames put through byte- and JSON-level mutations. */
import { encodeFrame } from '../encode-frame.js';
import { float32Bytes, rawFrame, splitFrame } from './raw-frame.js';
import { createRandom, type Random } from './random.js';
import { SMALL_TENSOR_CODECS, type SampleCodec } from './sample-codecs.js';
import { MNIST_2NN, TINY_MODEL, tensorsFor } from './sample-model.js';

/** Valid frames of several shapes and kinds in each of the given codecs (default: all) for the mutations to start from. */
export function seedFrames(codecs: readonly SampleCodec[] = SMALL_TENSOR_CODECS): Uint8Array[] {
  const small = [
    { name: 'w', shape: [3, 1], values: Float32Array.of(0.5, -1, 2) },
    { name: 's', shape: [], values: Float32Array.of(-0.25) },
  ];
  const medium = tensorsFor(MNIST_2NN.slice(1, 2).concat(MNIST_2NN.slice(5)), 9);
  const random = createRandom(99);
  const frames: Uint8Array[] = [];
  for (const { selection } of codecs) {
    frames.push(encodeFrame('delta', tensorsFor(TINY_MODEL), selection, undefined, random.next));
    frames.push(encodeFrame('weights', small, selection, undefined, random.next));
    frames.push(encodeFrame('weights', medium, selection, undefined, random.next));
    frames.push(encodeFrame('delta', [], selection, undefined, random.next));
  }
  return frames;
}

const MUTATIONS = ['random-bytes', 'random-after-prefix', 'bit-flips', 'truncate', 'splice', 'overwrite', 'insert', 'delete', 'header-json', 'header-text', 'header-length', 'payload-value'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface FuzzInput {
  bytes: Uint8Array;
  mutations: Mutation[];
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a];
const INTERESTING_NUMBERS = [-1, 0, 1, 1.5, 2, 3, 4, 8, 0.01, 0.5, 2 ** 26, 2 ** 26 + 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 60, 1e308, -0];
const INTERESTING_FLOATS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 3.4e38, 1e-45, -1, 0.5];

function randomJsonValue(random: Random): unknown {
  switch (random.int(7)) {
    case 0: return random.pick(INTERESTING_NUMBERS);
    case 1: return random.pick(['', 'float32', 'int8', 'top-k', 'topk', 'qsgd', 'randk+qsgd', 'x'.repeat(300), 'w', 's']);
    case 2: return null;
    case 3: return random.chance(0.5);
    case 4: return [random.pick(INTERESTING_NUMBERS), random.pick(INTERESTING_NUMBERS)];
    case 5: return {};
    default: return { name: 'w', shape: [random.pick(INTERESTING_NUMBERS)], byteLength: random.pick(INTERESTING_NUMBERS) };
  }
}

/** Every object or array inside `root`, so a mutation can pick where to strike. */
function containers(root: unknown, found: Array<Record<string, unknown> | unknown[]> = []): Array<Record<string, unknown> | unknown[]> {
  if (typeof root === 'object' && root !== null) {
    found.push(root as Record<string, unknown> | unknown[]);
    for (const child of Object.values(root)) containers(child, found);
  }
  return found;
}

/** Rewrites one tensor entry's numbers, the fields the size checks guard. */
function mutateTensorEntry(random: Random, header: unknown): void {
  const tensors = typeof header === 'object' && header !== null ? Object.values(header)[1] : undefined;
  if (!Array.isArray(tensors) || tensors.length === 0) return;
  const entry: unknown = random.pick(tensors);
  if (typeof entry !== 'object' || entry === null) return;
  const dimension = (): number => random.pick([1, 2, 1000, 65_536, 2 ** 26, 2 ** 26 + 1]);
  if (random.chance(0.5)) Object.assign(entry, { shape: Array.from({ length: 1 + random.int(4) }, dimension) });
  else Object.assign(entry, { byteLength: random.pick(INTERESTING_NUMBERS) + random.int(3) });
}

/** A seed frame whose header JSON had one structural edit (a key, a value, an array element). */
export function mutateHeaderJson(random: Random, frame: Uint8Array): Uint8Array {
  const { kind, header, payload } = splitFrame(frame);
  if (random.chance(0.3)) {
    mutateTensorEntry(random, header);
    return rawFrame({ kind, header, payload });
  }
  const target = random.pick(containers(header));
  const keys = Object.keys(target);
  const action = random.int(4);
  if (Array.isArray(target)) {
    if (action === 0 && target.length > 0) target.splice(random.int(target.length), 1);
    else if (action === 1 && target.length > 0) target.push(structuredClone(target[random.int(target.length)]));
    else if (action === 2 && target.length > 1) target.reverse();
    else target[random.int(target.length + 1)] = randomJsonValue(random);
  } else if (action === 0 && keys.length > 0) {
    delete target[random.pick(keys)];
  } else if (action === 1) {
    // defineProperty, so '__proto__' becomes an own key as JSON.parse would make it.
    const key = random.pick(['extra', '__proto__', 'dtype', 'byteLength', 'name', 'bits', 'fraction', 'blockSize']);
    Object.defineProperty(target, key, { value: randomJsonValue(random), enumerable: true, writable: true, configurable: true });
  } else if (keys.length > 0) {
    target[random.pick(keys)] = randomJsonValue(random);
  }
  const rebuiltPayload = random.chance(0.2) ? payload.subarray(0, random.int(payload.length + 1)) : payload;
  return rawFrame({ kind, header, payload: rebuiltPayload });
}

function headerLengthOf(frame: Uint8Array): number {
  return frame.length >= 12 ? new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(8, true) : 0;
}

function mutateOnce(random: Random, frame: Uint8Array, seeds: readonly Uint8Array[], mutation: Mutation): Uint8Array {
  const at = (): number => random.int(Math.max(frame.length, 1));
  switch (mutation) {
    case 'random-bytes':
      return random.bytes(random.int(200));
    case 'random-after-prefix':
      return Uint8Array.from([...frame.subarray(0, 12), ...random.bytes(random.int(200))]);
    case 'bit-flips': {
      const copy = frame.slice();
      for (let flips = 1 + random.int(8); flips > 0 && copy.length > 0; flips--) copy[random.int(copy.length)]! ^= 1 << random.int(8);
      return copy;
    }
    case 'truncate':
      return frame.slice(0, random.int(frame.length + 1));
    case 'splice': {
      const other = random.pick(seeds);
      return Uint8Array.from([...frame.subarray(0, at()), ...other.subarray(random.int(other.length + 1))]);
    }
    case 'overwrite': {
      const copy = frame.slice();
      for (let writes = 1 + random.int(4); writes > 0 && copy.length > 0; writes--) copy[random.int(copy.length)] = random.pick(INTERESTING_BYTES);
      return copy;
    }
    case 'insert': {
      const offset = at();
      return Uint8Array.from([...frame.subarray(0, offset), ...random.bytes(1 + random.int(8)), ...frame.subarray(offset)]);
    }
    case 'delete': {
      const offset = at();
      return Uint8Array.from([...frame.subarray(0, offset), ...frame.subarray(offset + 1 + random.int(8))]);
    }
    case 'header-json':
      return headerLengthOf(frame) > 0 && seeds.includes(frame) ? mutateHeaderJson(random, frame) : frame;
    case 'header-text': {
      if (headerLengthOf(frame) === 0 || !seeds.includes(frame)) return frame;
      const { kind, header, payload } = splitFrame(frame);
      const text = JSON.stringify(header);
      const offset = random.int(text.length);
      const edited = `${text.slice(0, offset)}${random.pick(['"', '{', '}', ',', '1', '-', '\\', ' ', 'e9', '\u00e9', ''])}${text.slice(offset + random.int(3))}`;
      return rawFrame({ kind, header: edited, payload });
    }
    case 'header-length': {
      const copy = frame.slice();
      if (copy.length >= 12) new DataView(copy.buffer).setUint32(8, random.pick([0, 1, headerLengthOf(frame) + random.int(5) - 2, 65_536, 65_537, 0xffffffff, random.int(copy.length)]), true);
      return copy;
    }
    case 'payload-value': {
      const copy = frame.slice();
      const payloadOffset = 12 + headerLengthOf(frame);
      if (copy.length < payloadOffset + 4) return copy;
      // Float32 values and scales of the first tensor sit at 4-byte steps from the payload start; others anywhere.
      const room = copy.length - payloadOffset;
      const offset = payloadOffset + (random.chance(0.5) ? 4 * random.int(Math.floor(room / 4)) : random.int(room - 3));
      if (random.chance(0.5)) copy.set(float32Bytes(random.pick(INTERESTING_FLOATS)), offset);
      else copy[offset + random.int(4)] = 0x80;
      return copy;
    }
  }
}

/** One hostile input: random bytes, or a seed frame put through one to three mutations. */
export function fuzzInput(random: Random, seeds: readonly Uint8Array[]): FuzzInput {
  let bytes = random.pick(seeds);
  const mutations: Mutation[] = [];
  for (let count = random.chance(0.7) ? 1 : 2 + random.int(2); count > 0; count--) {
    const mutation = random.pick(MUTATIONS);
    mutations.push(mutation);
    bytes = mutateOnce(random, bytes, seeds, mutation);
  }
  return { bytes, mutations };
}
