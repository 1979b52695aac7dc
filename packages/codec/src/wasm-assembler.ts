/** Just enough of the WebAssembly binary format (LEB128, sections, a few opcodes) to assemble simd-kernels.ts by hand. */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const F64 = 0x7c;

export function unsigned(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

export function signed(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0)) return [...bytes, low];
    bytes.push(low | 0x80);
  }
}

export const vector = (items: readonly number[][]): number[] => [...unsigned(items.length), ...items.flat()];
export const name = (text: string): number[] => [...unsigned(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
export const section = (id: number, body: number[]): number[] => [id, ...unsigned(body.length), ...body];
/** A code-section entry: its byte size, then locals and instructions (ending with `end`, 0x0b). */
export const functionBody = (code: number[]): number[] => [...unsigned(code.length), ...code];

// Instructions.
export const get = (local: number) => [0x20, local];
export const set = (local: number) => [0x21, local];
export const tee = (local: number) => [0x22, local];
export const i32 = (value: number) => [0x41, ...signed(value)];
export const add = [0x6a];
const simd = (opcode: number) => [0xfd, ...unsigned(opcode)];
/** v128.load / v128.store with a 4-byte alignment hint and a constant offset. */
export const load = (offset = 0) => [...simd(0x00), 2, ...unsigned(offset)];
export const store = (offset = 0) => [...simd(0x0b), 2, ...unsigned(offset)];
/** v128.load64_zero: 8 bytes into the low half, zeros above. */
export const load64Zero = (offset = 0) => [...simd(0x5d), 2, ...unsigned(offset)];
export const F64X2 = { add: simd(0xf0), mul: simd(0xf2), promoteLowF32: simd(0x5f), extractLane: (lane: number) => [...simd(0x21), lane] };
export const F64_ADD = [0xa0];
export const F32X4 = { splat: simd(0x13), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6), div: simd(0xe7), fromI32: simd(0xfa) };
export const I16X8_FROM_I8 = { lowSigned: simd(0x87), highSigned: simd(0x88), lowUnsigned: simd(0x89), highUnsigned: simd(0x8a) };
export const I32X4_FROM_I16 = { lowSigned: simd(0xa7), highSigned: simd(0xa8), lowUnsigned: simd(0xa9), highUnsigned: simd(0xaa) };
export const V128_OPS = { and: simd(0x4e), or: simd(0x50), anyTrue: simd(0x53), i8Splat: simd(0x0f), i8Eq: simd(0x23), i32Splat: simd(0x11), i32Eq: simd(0x37) };

/** while (local 0 < end) { body; advance each pointer local by its step }, `end` being in local `endLocal`. */
export function loop(endLocal: number, body: number[], steps: ReadonlyArray<[local: number, step: number]>): number[] {
  return [
    0x02, 0x40, 0x03, 0x40,
    ...get(0), ...get(endLocal), 0x4f, 0x0d, 1, // br_if 1 (leave) when local 0 >= end, unsigned
    ...body,
    ...steps.flatMap(([local, step]) => [...get(local), ...i32(step), ...add, ...set(local)]),
    0x0c, 0, 0x0b, 0x0b,
  ];
}
