/**
 * The hot loops of streaming aggregation as WebAssembly SIMD (four float32 lanes per instruction),
 * which V8 does not generate from JavaScript loops. The module is assembled here byte by byte (no
 * toolchain), imports its memory, and works on 16-byte groups; callers do the remainders in JS.
 * Every kernel rounds exactly as the JavaScript paths do: t ← float32(t + float32(w · x̂)).
 *
 *   acc_f32(t, s, n, w)          t[i] += w·s[i]                          n a multiple of 4
 *   acc_i8(t, q, n, scale, w)    t[i] += w·float32(q[i]·scale)           q int8, n a multiple of 16
 *   acc_qsgd8(t, c, n, scale, w) t[i] += w·float32(scale·(2c[i]−255)/255) c uint8, n a multiple of 16
 *   nonfinite_f32(s, n) → i32    1 if some s[i] is NaN or ±Infinity       n a multiple of 4
 *   has_i8_min(q, n) → i32       1 if some byte q[i] is 0x80 (int8 −128)  n a multiple of 16
 *   sumsq_f32(s, n) → f64        Σ s[i]², each square and sum in float64  n a multiple of 4
 * Pointers are byte offsets into the memory; t and s hold float32.
 */

import { F32, F32X4, F64, F64X2, F64_ADD, I16X8_FROM_I8, I32, I32X4_FROM_I16, V128, V128_OPS, add, functionBody, get, i32, load, load64Zero, loop, name, section, set, store, tee, vector } from './wasm-assembler.js';

/** local endLocal = local 0 + 4 · local countLocal: the end of `count` float32 values. */
const float32End = (countLocal: number, endLocal: number) => [...get(0), ...get(countLocal), ...i32(2), 0x74, ...add, ...set(endLocal)];

// acc_f32(t, s, n, w): locals 4 = end, 5 = w in every lane.
const accF32 = [
  ...vector([[1, I32], [1, V128]]),
  ...get(3), ...F32X4.splat, ...set(5), ...float32End(2, 4),
  ...loop(4, [...get(0), ...get(0), ...load(), ...get(1), ...load(), ...get(5), ...F32X4.mul, ...F32X4.add, ...store()], [[0, 16], [1, 16]]),
  0x0b,
];

/**
 * Adds sixteen decoded 8-bit codes to sixteen float32 sums. The 16 code bytes (local 7) widen to
 * two i16x8 halves (local 8), each to two i32x4 quarters, to float32; `decode` turns those four
 * code values into weighted decoded values on the stack.
 */
function sixteenCodes(signedCodes: boolean, decode: number[]): number[] {
  const [lowHalf, highHalf] = signedCodes ? [I16X8_FROM_I8.lowSigned, I16X8_FROM_I8.highSigned] : [I16X8_FROM_I8.lowUnsigned, I16X8_FROM_I8.highUnsigned];
  const [lowQuarter, highQuarter] = signedCodes ? [I32X4_FROM_I16.lowSigned, I32X4_FROM_I16.highSigned] : [I32X4_FROM_I16.lowUnsigned, I32X4_FROM_I16.highUnsigned];
  const quarter = (widen: number[], offset: number) => [
    ...get(0), ...get(0), ...load(offset),
    ...get(8), ...widen, ...F32X4.fromI32, ...decode,
    ...F32X4.add, ...store(offset),
  ];
  return [
    ...get(1), ...load(), ...set(7),
    ...get(7), ...lowHalf, ...set(8), ...quarter(lowQuarter, 0), ...quarter(highQuarter, 16),
    ...get(7), ...highHalf, ...set(8), ...quarter(lowQuarter, 32), ...quarter(highQuarter, 48),
  ];
}

// acc_i8(t, q, n, scale, w): locals 5 = end, 6 = scale, 9 = w (in every lane); 7, 8 for sixteenCodes.
const weighted = [...get(6), ...F32X4.mul, ...get(9), ...F32X4.mul]; // float32(w · float32(level · scale))
const codeKernelLocals = [
  ...vector([[1, I32], [4, V128]]),
  ...get(3), ...F32X4.splat, ...set(6), ...get(4), ...F32X4.splat, ...set(9), ...float32End(2, 5),
];
const accI8 = [...codeKernelLocals, ...loop(5, sixteenCodes(true, weighted), [[0, 64], [1, 16]]), 0x0b];

// acc_qsgd8(t, c, n, scale, w): as acc_i8 with unsigned codes whose level is float32((2c − 255) / 255).
const lanes = (value: number) => [...i32(value), ...V128_OPS.i32Splat, ...F32X4.fromI32];
const qsgdLevel = [...lanes(2), ...F32X4.mul, ...lanes(255), ...F32X4.sub, ...lanes(255), ...F32X4.div];
const accQsgd8 = [...codeKernelLocals, ...loop(5, sixteenCodes(false, [...qsgdLevel, ...weighted]), [[0, 64], [1, 16]]), 0x0b];

// nonfinite_f32(s, n): locals 2 = end, 3 = exponent mask, 4 = lanes found so far.
const nonFiniteF32 = [
  ...vector([[1, I32], [2, V128]]),
  ...i32(0x7f80_0000), ...V128_OPS.i32Splat, ...set(3), ...float32End(1, 2),
  ...loop(2, [...get(4), ...get(0), ...load(), ...get(3), ...V128_OPS.and, ...get(3), ...V128_OPS.i32Eq, ...V128_OPS.or, ...set(4)], [[0, 16]]),
  ...get(4), ...V128_OPS.anyTrue,
  0x0b,
];

// has_i8_min(q, n): locals 2 = end, 3 = 0x80 in every byte, 4 = bytes found so far.
const hasInt8Min = [
  ...vector([[1, I32], [2, V128]]),
  ...i32(-128), ...V128_OPS.i8Splat, ...set(3), ...get(0), ...get(1), ...add, ...set(2),
  ...loop(2, [...get(4), ...get(0), ...load(), ...get(3), ...V128_OPS.i8Eq, ...V128_OPS.or, ...set(4)], [[0, 16]]),
  ...get(4), ...V128_OPS.anyTrue,
  0x0b,
];

// sumsq_f32(s, n): locals 2 = end, 3 = two float64 partial sums, 4 = two values widened to float64.
const squaredPair = (offset: number) => [...get(3), ...get(0), ...load64Zero(offset), ...F64X2.promoteLowF32, ...tee(4), ...get(4), ...F64X2.mul, ...F64X2.add, ...set(3)];
const sumSquaresF32 = [
  ...vector([[1, I32], [2, V128]]),
  ...float32End(1, 2),
  ...loop(2, [...squaredPair(0), ...squaredPair(8)], [[0, 16]]),
  ...get(3), ...F64X2.extractLane(0), ...get(3), ...F64X2.extractLane(1), ...F64_ADD,
  0x0b,
];

export const SIMD_MODULE_BYTES = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vector([
    [0x60, ...vector([[I32], [I32], [I32], [F32]]), 0],
    [0x60, ...vector([[I32], [I32], [I32], [F32], [F32]]), 0],
    [0x60, ...vector([[I32], [I32]]), 1, I32],
    [0x60, ...vector([[I32], [I32]]), 1, F64],
  ])),
  ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
  ...section(3, vector([[0], [1], [1], [2], [2], [3]])),
  ...section(7, vector([
    [...name('acc_f32'), 0x00, 0], [...name('acc_i8'), 0x00, 1], [...name('acc_qsgd8'), 0x00, 2], [...name('nonfinite_f32'), 0x00, 3], [...name('has_i8_min'), 0x00, 4], [...name('sumsq_f32'), 0x00, 5],
  ])),
  ...section(10, vector([functionBody(accF32), functionBody(accI8), functionBody(accQsgd8), functionBody(nonFiniteF32), functionBody(hasInt8Min), functionBody(sumSquaresF32)])),
]);

export interface SimdExports {
  acc_f32(target: number, source: number, count: number, weight: number): void;
  acc_i8(target: number, levels: number, count: number, scale: number, weight: number): void;
  acc_qsgd8(target: number, codes: number, count: number, scale: number, weight: number): void;
  nonfinite_f32(source: number, count: number): number;
  has_i8_min(source: number, count: number): number;
  sumsq_f32(source: number, count: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or undefined where WebAssembly SIMD is unavailable (the JS loops then do all the work). */
export function simdModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) compiled = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_MODULE_BYTES) ? new WebAssembly.Module(SIMD_MODULE_BYTES) : null;
  return compiled ?? undefined;
}

export function instantiateSimd(memory: WebAssembly.Memory): SimdExports | undefined {
  const module = simdModule();
  return module === undefined ? undefined : (new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdExports);
}
