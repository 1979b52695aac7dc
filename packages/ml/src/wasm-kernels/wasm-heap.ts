/** Tensors on the wasm heap for kernels written in TypeScript, and a call into the backend's own matmul. */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStockKernel } from './stock-kernels.js';

/**
 * Allocates an uninitialised float32 tensor on the wasm heap. Allocation may grow the heap and
 * detach earlier views, so take views (`heapView`) only after the last allocation of a step.
 */
export function allocate(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function heapView(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function release(backend: BackendWasm, info: tf.TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** The same data under another shape; BatchMatMul takes and drops its own reference. */
export function reshaped(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * a [1, m, k] x b [1, k, n] on XNNPACK through the wasm backend's own BatchMatMul kernel.
 * Neither operand is transposed: the stock kernel only takes its fast path for that case.
 */
export function matMul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return runStockKernel(tf.BatchMatMul, { inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });
}

/** [batch, rows, columns] -> [batch, columns, rows] with the stock (C++) Transpose kernel. */
export function transposeLastTwo(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  return runStockKernel(tf.Transpose, { inputs: { x }, backend, attrs: { perm: [0, 2, 1] } });
}
