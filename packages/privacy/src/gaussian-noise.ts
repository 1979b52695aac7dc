/** Gaussian noise from a uniform source (Box–Muller), so callers decide between crypto and seeded randomness. */
import { randomBytes } from 'node:crypto';

export type UniformSource = () => number;

/** Uniform (0, 1) from the OS CSPRNG: the default for noise that protects privacy. */
export function cryptoUniform(): number {
  const bytes = randomBytes(8);
  const high = bytes.readUInt32LE(0) >>> 5; // 27 bits
  const low = bytes.readUInt32LE(4) >>> 6; // 26 bits
  return (high * 67108864 + low + 0.5) / 9007199254740992;
}

export function gaussianSampler(uniform: UniformSource = cryptoUniform): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    let u = uniform();
    while (u <= 0) u = uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** Adds N(0, stddev²) to every value in place. */
export function addGaussianNoise(tensors: Float32Array[], stddev: number, normal: () => number = gaussianSampler()): void {
  if (!(stddev >= 0)) throw new RangeError(`noise stddev must be >= 0, got ${stddev}`);
  if (stddev === 0) return;
  for (const tensor of tensors) for (let i = 0; i < tensor.length; i++) tensor[i]! += stddev * normal();
}
