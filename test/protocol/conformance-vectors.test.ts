/**
 * Runs protocols/v1/conformance against the TypeScript implementation, following its README's runner contract, and
 * checks that regenerating the vectors gives the committed files byte for byte, so the vectors cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CODECS, accumulateFrame, decodeFrame, encodeFrame, readFrameHeader } from '@shoal/codec';
import { ShoalError, parseMessage, type MessageName } from '@shoal/protocol';
import { canonicalUpdateStatement, enrolStatement, helloStatement, signStatement, verifyStatement } from '@shoal/identity';
import { decodeWeightedSum, encodeWeightedInput, expandMask, inputWeight, levels, pairwiseSeed, ringFromBytes, ringToBytes, shamirCombine, shamirSplit, type RingBits } from '@shoal/secagg';
import nacl from 'tweetnacl';
import { buildVectors } from './conformance/build-vectors.js';
import { comparableBits, filesOnDisk, indexesOf, readManifest, readRelative, vectorsOf } from './conformance/read-vectors.js';
import { float32FromHex, fromHex, hex, sha256Hex } from './conformance/vector-set.js';
import type {
  FrameVector,
  AccumulateVector,
  BadFrameVector,
  KeyVector,
  SignatureVector,
  ShamirSplitVector,
  ShamirCombineVector,
  PairwiseVector,
  RingBytesVector,
  WeightedInputVector,
  WeightedSumVector,
} from './conformance/vector-types.js';

/** The UTF-8 statement a verifier builds from the vector's fields; the update's hash is of the frame file it names. */
function statementOf({ statement }: SignatureVector, read: (file: string) => Uint8Array): Uint8Array {
  const publicKey = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  if (statement.type === 'enrol') return enrolStatement(statement.joinTokenId, publicKey(statement.publicKey));
  if (statement.type === 'hello') return helloStatement(statement.clientId, publicKey(statement.publicKey), statement.timestampMs);
  expect(sha256Hex(read(statement.frame))).toBe(statement.payloadSha256);
  return canonicalUpdateStatement({ ...statement, payloadSha256: sha256Hex(read(statement.frame)) });
}

const secretKeyOf = (name: string) => nacl.sign.keyPair.fromSeed(fromHex(vectorsOf<KeyVector>('ed25519-key').find((key) => key.name === name)!.seed)).secretKey;

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ShoalError ? error.code : `not a ShoalError: ${String(error)}`;
  }
};

/** The annotated hex dump after `<!-- example: name -->` in frame.md. */
function specExample(name: string): string {
  const document = readFileSync(new URL('../../protocols/v1/frame.md', import.meta.url), 'utf8');
  const block = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(document)?.[1] ?? '';
  return block.split('\n').map((line) => (line.split('#')[0] ?? '').replace(/\s+/g, '')).join('');
}

describe('conformance vectors: frames', () => {
  const frames = vectorsOf<FrameVector>('frame');

  it.each(frames.map((vector) => [vector.name, vector] as const))('%s decodes to its header fields and values', (_name, vector) => {
    const bytes = readRelative(vector.index, vector.file);
    expect([bytes.length, sha256Hex(bytes)]).toEqual([vector.frameBytes, vector.sha256]);

    const header = readFrameHeader(bytes);
    const decoded = decodeFrame(bytes, { expectedKind: vector.kind, expected: vector.tensors });
    const summed = decoded.tensors.map((tensor) => new Float32Array(tensor.values.length));
    accumulateFrame(bytes, summed, 1);

    expect(header).toEqual(decoded.header);
    expect({ kind: header.kind, headerLength: header.payloadOffset - 12, codec: header.codec }).toEqual({ kind: vector.kind, headerLength: vector.headerLength, codec: vector.codec });
    expect(header.tensors).toEqual(vector.tensors.map(({ name, shape, byteLength }) => ({ name, shape, byteLength })));
    vector.tensors.forEach((tensor, index) => {
      const expected = comparableBits(float32FromHex(tensor.decoded), vector.signedZeros);
      expect(comparableBits(decoded.tensors[index]!.values, vector.signedZeros), `${tensor.name} decoded`).toEqual(expected);
      expect(comparableBits(summed[index]!, false), `${tensor.name} accumulated`).toEqual(comparableBits(float32FromHex(tensor.decoded), false));
    });
  });

  it('exact and reference encodings are what the encoder writes from the inputs', () => {
    for (const vector of frames.filter((candidate) => candidate.encoding === 'exact' || candidate.encoding === 'reference')) {
      const tensors = vector.tensors.map((tensor) => ({ name: tensor.name, shape: tensor.shape, values: float32FromHex(tensor.input!) }));
      expect(hex(encodeFrame(vector.kind, tensors, vector.codec, undefined, Math.random)), vector.name).toBe(hex(readRelative(vector.index, vector.file)));
    }
  });

  it('frames named after a frame.md example are that example byte for byte', () => {
    const examples = frames.filter((vector) => vector.specExample !== undefined);
    expect(examples.length).toBe(3);
    for (const vector of examples) expect(hex(readRelative(vector.index, vector.file)), vector.name).toBe(specExample(vector.specExample!));
  });

  it('cover every codec of the default registry, and both kinds for the dense ones', () => {
    const kinds = (id: string) => new Set(frames.filter((vector) => vector.codec.id === id).map((vector) => vector.kind));
    for (const codec of DEFAULT_CODECS) expect(kinds(codec.id).size, codec.id).toBeGreaterThan(0);
    for (const id of ['float32', 'int8', 'float16', 'qsgd']) expect(kinds(id), id).toEqual(new Set(['weights', 'delta']));
  });

  it.each(vectorsOf<AccumulateVector>('accumulate').map((vector) => [vector.name, vector] as const))('%s accumulates as float32(t + float32(w·x))', (_name, vector) => {
    const bytes = readRelative(vector.index, vector.frame);
    const targets = vector.tensors.map((tensor) => float32FromHex(tensor.initial));
    const decoded = decodeFrame(bytes).tensors;

    accumulateFrame(bytes, targets, vector.weight);

    vector.tensors.forEach((tensor, index) => {
      const byFormula = float32FromHex(tensor.initial).map((start, at) => start + Math.fround(vector.weight * decoded[index]!.values[at]!));
      expect(comparableBits(targets[index]!, true)).toEqual(comparableBits(float32FromHex(tensor.expected), true));
      expect(comparableBits(byFormula, false)).toEqual(comparableBits(float32FromHex(tensor.expected), false));
    });
  });
});

describe('conformance vectors: refused frames', () => {
  const badFrames = vectorsOf<BadFrameVector>('bad-frame');

  it.each(badFrames.map((vector) => [vector.name, vector] as const))('%s is refused', (_name, vector) => {
    const bytes = readRelative(vector.index, vector.file);
    const options = { limits: vector.limits, expectedKind: vector.expect?.kind, expected: vector.expect?.tensors };
    expect(sha256Hex(bytes)).toBe(vector.sha256);

    const headerCode = codeOf(() => readFrameHeader(bytes, { limits: vector.limits }));
    const decodeCode = codeOf(() => decodeFrame(bytes, options));

    expect(decodeCode).toBe(vector.code);
    expect(headerCode).toBe(vector.check <= 18 ? vector.code : undefined);
    if (headerCode !== undefined) return;
    // All or nothing (frame.md §6): a refused frame leaves the running sums exactly as they were.
    const targets = readFrameHeader(bytes).tensors.map((entry) => new Float32Array(entry.shape.reduce((product, dimension) => product * dimension, 1)).fill(0.5));
    expect(codeOf(() => accumulateFrame(bytes, targets, 1, options))).toBe(vector.code);
    for (const target of targets) expect(target.every((value) => value === 0.5)).toBe(true);
  });

  it('cover every check of frame.md §6', () => {
    expect(new Set(badFrames.map((vector) => vector.check))).toEqual(new Set(Array.from({ length: 21 }, (_, index) => index + 1)));
  });
});

describe('conformance vectors: device signatures', () => {
  const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

  it.each(vectorsOf<KeyVector>('ed25519-key').map((vector) => [vector.name, vector] as const))('key %s derives its public key from its seed', (_name, vector) => {
    const { publicKey } = nacl.sign.keyPair.fromSeed(fromHex(vector.seed));
    expect([hex(publicKey), Buffer.from(publicKey).toString('base64')]).toEqual([vector.publicKeyHex, vector.publicKey]);
  });

  it.each(vectorsOf<SignatureVector>('signature').map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const message = () => parseMessage(vector.message!.schema as MessageName, vector.message!.body);
    if (!vector.expected.valid && vector.expected.layer === 'schema') {
      expect(codeOf(message)).toBe(vector.expected.code);
      return;
    }
    const statement = statementOf(vector, (file) => readRelative(vector.index, file));
    const verified = verifyStatement(statement, fromBase64(vector.signature!), fromBase64(vector.publicKey!));

    expect(new TextDecoder().decode(statement)).toBe(vector.text);
    expect(verified).toBe(vector.expected.valid);
    if (vector.message !== undefined) expect(codeOf(message)).toBeUndefined();
    if (vector.expected.valid) expect(Buffer.from(signStatement(statement, secretKeyOf(vector.signer))).toString('base64')).toBe(vector.signature);
  });
});

describe('conformance vectors: secure aggregation', () => {
  it('GF(2^8) products, through Shamir shares of a zero byte with a degree-1 coefficient', () => {
    for (const { a, b, product } of vectorsOf<{ a: number; b: number; product: number }>('gf256-product')) {
      // share(x) = payload byte ^ a·x: with payload byte 0 the share at x = b is a·b.
      const shares = shamirSplit(Uint8Array.of(0), 2, 255, (length) => Uint8Array.from({ length }, (_, index) => (index === 0 ? a : 0)));
      expect(b === 0 ? 0 : shares[b - 1]!.bytes[0], `${a}·${b}`).toBe(product);
    }
  });

  it('Shamir splits with given coefficients and combines', () => {
    for (const vector of vectorsOf<ShamirSplitVector>('shamir-split')) {
      const shares = shamirSplit(fromHex(vector.secret), vector.threshold, vector.shareCount, () => fromHex(vector.coefficients));
      expect(shares.map((share) => ({ x: share.x, bytes: hex(share.bytes) })), vector.name).toEqual(vector.shares);
      expect(hex(shares[0]!.bytes).length).toBe(2 * (vector.secret.length / 2 + 8));
    }
    for (const vector of vectorsOf<ShamirCombineVector>('shamir-combine')) {
      const combine = () => shamirCombine(vector.shares.map((share) => ({ x: share.x, bytes: fromHex(share.bytes) })));
      if ('secret' in vector.expected) expect(hex(combine()), vector.name).toBe(vector.expected.secret);
      else expect(codeOf(combine), vector.name).toBe(vector.expected.refused === 'tag-mismatch' ? 'CONFLICT' : 'VALIDATION_FAILED');
    }
  });

  it('PRG expansion, pairwise seeds and the ring vector on the wire', () => {
    for (const vector of vectorsOf<{ name: string; seed: string; ringBits: RingBits; length: number; values: number[] }>('prg')) {
      expect(Array.from(expandMask(fromHex(vector.seed), vector.length, vector.ringBits)), vector.name).toEqual(vector.values);
    }
    for (const vector of vectorsOf<PairwiseVector>('pairwise-seed')) {
      const [u, v] = [fromHex(vector.secretKeyU), fromHex(vector.secretKeyV)];
      expect([hex(nacl.scalarMult.base(u)), hex(nacl.scalarMult.base(v)), hex(nacl.scalarMult(u, fromHex(vector.publicKeyV)))]).toEqual([vector.publicKeyU, vector.publicKeyV, vector.shared]);
      expect([hex(pairwiseSeed(u, fromHex(vector.publicKeyV), vector.context)), hex(pairwiseSeed(v, fromHex(vector.publicKeyU), vector.context))]).toEqual([vector.seed, vector.seed]);
    }
    for (const vector of vectorsOf<RingBytesVector>('ring-bytes')) {
      const parse = () => ringFromBytes(fromHex(vector.bytes), vector.ringBits, vector.length);
      if (vector.expected !== undefined) expect(codeOf(parse), vector.name).toBe(vector.expected);
      else expect([hex(ringToBytes(Uint32Array.from(vector.values!), vector.ringBits)), Array.from(parse())]).toEqual([vector.bytes, vector.values]);
    }
  });

  it('weighted inputs and their decoded sums', () => {
    const inputs = new Map(vectorsOf<WeightedInputVector>('weighted-input').map((vector) => [vector.name, vector]));
    for (const vector of inputs.values()) {
      const draws = [...vector.uniforms];
      expect([inputWeight(vector.numExamples, vector.weightCap), levels(vector.spec)]).toEqual([vector.weight, vector.levels]);
      expect(Array.from(encodeWeightedInput(Float32Array.from(vector.delta), vector.weight, vector.spec, () => draws.shift()!)), vector.name).toEqual(vector.expected);
      expect(draws).toEqual([]);
    }
    for (const vector of vectorsOf<WeightedSumVector>('weighted-sum')) {
      const modulus = 2 ** vector.spec.ringBits;
      const sum = vector.sum.map((_, at) => vector.inputs.reduce((total, name) => (total + inputs.get(name)!.expected[at]!) % modulus, 0));
      const decoded = decodeWeightedSum(Uint32Array.from(vector.sum), vector.spec);
      expect(sum, vector.name).toEqual(vector.sum);
      expect([Array.from(decoded.weightedSum), decoded.totalWeight]).toEqual([vector.weightedSum, vector.totalWeight]);
    }
  });
});

describe('conformance vectors: the generator', () => {
  it('names every vector uniquely, in indexes of known kinds', () => {
    const kinds = ['frame', 'accumulate', 'bad-frame', 'ed25519-key', 'signature', 'gf256-product', 'shamir-split', 'shamir-combine', 'prg', 'pairwise-seed', 'ring-bytes', 'weighted-input', 'weighted-sum'];
    // Transcripts need a live coordinator: conformance-live.test.ts runs them. Any other kind fails here.
    const liveKinds = ['transcript'];
    const indexes = [...kinds, ...liveKinds].flatMap((kind) => indexesOf<{ name: string }>(kind));
    const names = indexes.flatMap((index) => index.vectors.map((vector) => vector.name));

    expect(indexes.map((index) => index.path).sort()).toEqual([...readManifest().files].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('regenerates the committed files byte for byte', () => {
    const generated = buildVectors();
    const committed = filesOnDisk();

    expect([...committed.keys()].sort()).toEqual([...generated.keys()].sort());
    for (const [path, bytes] of generated) expect(hex(committed.get(path)!), path).toBe(hex(bytes));
    expect(readManifest().protocolVersion).toBe(1);
  });
});
