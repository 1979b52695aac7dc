/** Streaming aggregation vectors: target += weight · decoded frame, rounded as frame.md and the Codec contract say. */
import { accumulateFrame, readFrameHeader } from '@shoal/codec';
import { createRandom } from '@shoal/codec/testing';
import { float32Hex, type VectorSet } from './vector-set.js';

/** A frame already in the set (path under frames/) and the weight to add it with. */
export interface AccumulatePick {
  frame: string;
  weight: number;
  description: string;
}

/**
 * Weights are small dyadic numbers, exact in float32, so weight · x̂ is exact in double and every
 * implementation rounds the same single operation to float32.
 */
export function writeAccumulateIndex(set: VectorSet, picks: readonly AccumulatePick[]): string {
  const vectors = picks.map((pick, position) => {
    const bytes = set.files.get(`frames/${pick.frame}`);
    if (bytes === undefined) throw new Error(`accumulate vector names frames/${pick.frame}, which is not generated`);
    const header = readFrameHeader(bytes);
    const random = createRandom(900 + position);
    // Multiples of 2^-10 in [-2, 2]; + 0 turns a -0 into 0, whose sign a dense sum would not keep.
    const start = () => Math.round((random.next() * 4 - 2) * 1024) / 1024 + 0;
    const initial = header.tensors.map((entry) => Float32Array.from({ length: entry.shape.reduce((product, dimension) => product * dimension, 1) }, start));
    const target = initial.map((values) => Float32Array.from(values));
    accumulateFrame(bytes, target, pick.weight);
    return {
      name: `accumulate/${pick.frame.replace(/\.bin$/, '')}`,
      description: pick.description,
      frame: pick.frame,
      weight: pick.weight,
      tensors: header.tensors.map((entry, index) => ({ name: entry.name, initial: float32Hex(initial[index]!), expected: float32Hex(target[index]!) })),
    };
  });
  return set.json('frames/accumulate.json', { kind: 'accumulate', description: 'target[i] = float32(target[i] + float32(weight · decoded[i])) for every element of every tensor', vectors });
}
