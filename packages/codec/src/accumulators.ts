/**
 * Running sums for streaming aggregation, placed in WebAssembly memory so the SIMD kernels
 * (simd-kernels.ts) can add decoded updates into them in place. Encoded bytes, wherever they sit,
 * are staged through a 64 KiB area of the same memory, so no step allocates per update.
 */
import { instantiateSimd, type SimdExports } from './simd-kernels.js';

const PAGE_BYTES = 65_536;
const STAGING_BYTES = 65_536;

export interface SimdArena {
  kernels: SimdExports;
  /** Byte offset of the staging area in the memory, and a view of it. */
  stagingOffset: number;
  staging: Uint8Array;
}

const arenas = new WeakMap<ArrayBufferLike, SimdArena>();

function createArena(bytes: number): { arena: SimdArena; buffer: ArrayBuffer } | undefined {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((bytes + STAGING_BYTES) / PAGE_BYTES) });
  const kernels = instantiateSimd(memory);
  if (kernels === undefined) return undefined;
  const arena = { kernels, stagingOffset: bytes, staging: new Uint8Array(memory.buffer, bytes, STAGING_BYTES) };
  arenas.set(memory.buffer, arena);
  return { arena, buffer: memory.buffer };
}

/**
 * Zeroed float32 arrays of the given lengths, for a weighted sum. Where WebAssembly SIMD is
 * available they share one fixed-size WebAssembly memory (each 16-byte aligned), and the
 * package's codecs add into them with SIMD kernels; elsewhere they are ordinary arrays.
 */
export function createAccumulators(lengths: readonly number[]): Float32Array[] {
  const offsets: number[] = [];
  let bytes = 0;
  for (const length of lengths) {
    offsets.push(bytes);
    bytes += Math.ceil((4 * length) / 16) * 16;
  }
  const created = createArena(bytes);
  if (created === undefined) return lengths.map((length) => new Float32Array(length));
  return lengths.map((length, index) => new Float32Array(created.buffer, offsets[index]!, length));
}

/** The arena `target` lives in, when it was made by createAccumulators. */
export function arenaOf(target: Float32Array): SimdArena | undefined {
  return arenas.get(target.buffer);
}

/**
 * Copies bytes [from, to) of `source` into the staging area in pieces of at most 64 KiB that
 * start at multiples of `piece` bytes from `from` (so each piece holds whole blocks), calling
 * `visit(staged, first, length)`: the staged piece's offset in the memory, its first source index
 * and its length. `visit` must not stage anything itself.
 */
export function stagePieces(arena: SimdArena, source: Uint8Array, from: number, to: number, piece: number, visit: (staged: number, first: number, length: number) => void): void {
  const chunk = piece >= STAGING_BYTES ? STAGING_BYTES : Math.floor(STAGING_BYTES / piece) * piece;
  for (let first = from; first < to; first += chunk) {
    const length = Math.min(chunk, to - first);
    arena.staging.set(source.subarray(first, first + length));
    visit(arena.stagingOffset, first, length);
  }
}

let checker: SimdArena | undefined | null;

/** An arena with only a staging area, for validation passes that have no target to live beside. */
export function validationArena(): SimdArena | undefined {
  if (checker === undefined) checker = createArena(0)?.arena ?? null;
  return checker ?? undefined;
}
