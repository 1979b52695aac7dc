/** 64-bit seed arithmetic (SplitMix64, FNV-1a) that turns seeds and fork labels into generator state. */

const MASK_64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;
const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** The SplitMix64 output function: a bijective 64-bit avalanche mix. */
export function mix64(value: bigint): bigint {
  let z = value & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/** The first `count` outputs of SplitMix64 started at `seed` (Vigna's recommended seeder for xoshiro). */
export function splitMix64(seed: bigint, count: number): bigint[] {
  const outputs: bigint[] = [];
  let state = seed & MASK_64;
  for (let i = 0; i < count; i++) {
    state = (state + GOLDEN_GAMMA) & MASK_64;
    outputs.push(mix64(state));
  }
  return outputs;
}

/** FNV-1a over the UTF-8 bytes of a fork label; the type tag keeps fork(1) and fork('1') apart. */
export function hashLabel(label: string | number): bigint {
  const tagged = typeof label === 'number' ? `number:${String(label)}` : `string:${label}`;
  let hash = FNV_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(tagged)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/** The key of a child stream: depends only on the parent key and the label, never on draws made so far. */
export function forkKey(parentKey: bigint, label: string | number): bigint {
  return mix64(parentKey ^ hashLabel(label));
}

/** Any safe integer (negative too) maps to a distinct 64-bit key. */
export function seedKey(seed: number): bigint {
  return BigInt.asUintN(64, BigInt(seed));
}
