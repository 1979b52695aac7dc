/** Masking and ring vectors (secure-aggregation.md §2–3): PRG expansion, pairwise seeds, the wire vector, weighted inputs and sums. */
import nacl from 'tweetnacl';
import { decodeWeightedSum, encodeWeightedInput, expandMask, inputWeight, levels, pairwiseSeed, ringToBytes, type FixedPointSpec, type RingBits } from '@shoal/secagg';
import { createRandom } from '@shoal/codec/testing';
import { fromHex, hex, type VectorSet } from './vector-set.js';

const counting = (length: number, start = 0) => Uint8Array.from({ length }, (_, index) => (start + index) & 0xff);

function prgVectors() {
  const cases: Array<{ name: string; seed: Uint8Array; ringBits: RingBits; length: number }> = [
    { name: 'zero-seed-32', seed: new Uint8Array(32), ringBits: 32, length: 8 },
    { name: 'counting-seed-32', seed: counting(32), ringBits: 32, length: 20 },
    { name: 'counting-seed-16', seed: counting(32), ringBits: 16, length: 20 },
    { name: 'one-element-16', seed: counting(32, 0xa0), ringBits: 16, length: 1 },
  ];
  return cases.map((entry) => ({ name: entry.name, seed: hex(entry.seed), ringBits: entry.ringBits, length: entry.length, values: Array.from(expandMask(entry.seed, entry.length, entry.ringBits)) }));
}

/** RFC 7748 §6.1's Alice and Bob, so X25519 can be checked against the RFC, and a second pair of seeded keys. */
function pairwiseVectors() {
  const pairs = [
    { name: 'rfc7748-alice-bob', u: fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), v: fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), context: 'job-mnist-1:3:5f0c' },
    { name: 'seeded', u: createRandom(401).bytes(32), v: createRandom(402).bytes(32), context: 'job-1:12:0a1b2c3d4e5f' },
  ];
  return pairs.map((pair) => {
    const publicU = nacl.scalarMult.base(pair.u);
    const publicV = nacl.scalarMult.base(pair.v);
    const seed = pairwiseSeed(pair.u, publicV, pair.context);
    if (hex(pairwiseSeed(pair.v, publicU, pair.context)) !== hex(seed)) throw new Error(`pairwise seed ${pair.name} is not symmetric`);
    return { name: pair.name, secretKeyU: hex(pair.u), publicKeyU: hex(publicU), secretKeyV: hex(pair.v), publicKeyV: hex(publicV), context: pair.context, shared: hex(nacl.scalarMult(pair.u, publicV)), seed: hex(seed) };
  });
}

function ringBytesVectors() {
  const encoded = [
    { name: 'ring-32', ringBits: 32 as const, values: [0, 1, 2 ** 31, 2 ** 32 - 1] },
    { name: 'ring-16', ringBits: 16 as const, values: [0, 1, 0x8000, 0xffff] },
  ].map((entry) => ({ ...entry, length: entry.values.length, bytes: hex(ringToBytes(Uint32Array.from(entry.values), entry.ringBits)) }));
  const short = { name: 'ring-16-one-byte-short', description: '5 bytes for 3 elements of a 16-bit ring', ringBits: 16, length: 3, bytes: '0100020003', expected: 'SHAPE_MISMATCH' };
  return [...encoded, short];
}

interface Client {
  delta: number[];
  numExamples: number;
}

interface WeightedCase {
  name: string;
  description: string;
  spec: FixedPointSpec;
  weightCap?: number;
  clients: Client[];
  seed: number;
}

const WEIGHTED: WeightedCase[] = [
  {
    name: 'ring-32-capped',
    description: '32-bit ring, R = 0.5, 3 clients, weightCap 600: f = 0.5, 1 (capped) and 0.25; 0.9 and -0.7 are clipped to ±R',
    spec: { ringBits: 32, clipRange: 0.5, maxClients: 3 },
    weightCap: 600,
    clients: [{ delta: [0.1, -0.2, 0.9, -0.7, 0], numExamples: 300 }, { delta: [0.25, 0.25, -0.125, 0.5, -0.5], numExamples: 1000 }, { delta: [-0.01, 0.02, 0.3, 0, 0.45], numExamples: 150 }],
    seed: 501,
  },
  {
    name: 'ring-16-uniform',
    description: '16-bit ring, R = 0.25, 4 clients, no weightCap (f = 1): sums of negative values wrap below 2^16',
    spec: { ringBits: 16, clipRange: 0.25, maxClients: 4 },
    clients: [{ delta: [-0.25, 0.125, 0.001], numExamples: 10 }, { delta: [-0.2, -0.1, 0.002], numExamples: 20 }, { delta: [-0.05, 0.3, -0.0005], numExamples: 30 }, { delta: [-0.125, 0, 0], numExamples: 40 }],
    seed: 502,
  },
];

/** Each client's input with the uniform draws it used (delta coordinates in order, then the weight), and the decoded sum. */
function weightedVectors() {
  const inputs: unknown[] = [];
  const sums = WEIGHTED.map((entry) => {
    const random = createRandom(entry.seed);
    const mask = entry.spec.ringBits === 32 ? 0xffff_ffff : 0xffff;
    const sum = new Uint32Array(entry.clients[0]!.delta.length + 1);
    const encoded = entry.clients.map((client, index) => {
      const uniforms: number[] = [];
      const weight = inputWeight(client.numExamples, entry.weightCap);
      const ring = encodeWeightedInput(Float32Array.from(client.delta), weight, entry.spec, () => uniforms[uniforms.push(random.next()) - 1]!);
      ring.forEach((value, at) => (sum[at] = ((sum[at]! + value) & mask) >>> 0));
      const name = `${entry.name}-client-${index + 1}`;
      inputs.push({ name, spec: entry.spec, levels: levels(entry.spec), weightCap: entry.weightCap, numExamples: client.numExamples, weight, delta: Array.from(Float32Array.from(client.delta)), uniforms, expected: Array.from(ring) });
      return name;
    });
    const { weightedSum, totalWeight } = decodeWeightedSum(sum, entry.spec);
    return { name: entry.name, description: entry.description, spec: entry.spec, inputs: encoded, sum: Array.from(sum), weightedSum: Array.from(weightedSum), totalWeight };
  });
  return { inputs, sums };
}

export function writeRingVectors(set: VectorSet): string[] {
  const { inputs, sums } = weightedVectors();
  return [
    set.json('secure-aggregation/prg.json', { kind: 'prg', description: 'PRG(seed): the XSalsa20 keystream (24 zero nonce bytes) as little-endian 32-bit words, each mod 2^ringBits', vectors: prgVectors() }),
    set.json('secure-aggregation/pairwise-seed.json', { kind: 'pairwise-seed', description: 's_uv = SHA-512(X25519(sk_u, pk_v) ‖ UTF-8(context))[0..32], the same from both ends', vectors: pairwiseVectors() }),
    set.json('secure-aggregation/ring-bytes.json', { kind: 'ring-bytes', description: 'the masked vector on the wire: length little-endian integers of ringBits/8 bytes', vectors: ringBytesVectors() }),
    set.json('secure-aggregation/weighted-input.json', { kind: 'weighted-input', description: 'x = [enc_R(f · clip_R(Δ_i)) …, enc_1(f)] mod 2^ringBits, with the uniform draws of the stochastic rounding', vectors: inputs }),
    set.json('secure-aggregation/weighted-sum.json', { kind: 'weighted-sum', description: 'the ring sum of the named inputs, decoded: Σ f·clip(Δ) (scale R/L) and Σ f (scale 1/L)', vectors: sums }),
  ];
}
