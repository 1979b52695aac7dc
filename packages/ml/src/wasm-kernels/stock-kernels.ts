/** The wasm backend's own kernel functions, remembered before Shoal registers replacements over them. */
import * as tf from '@tensorflow/tfjs';

// Mirrors tfjs's kernel registry, which is per thread as well.
const stock = new Map<string, tf.KernelFunc>();

/** Call before replacing a wasm kernel; later calls (when ours is already registered) change nothing. */
export function rememberStockKernel(kernelName: string, replacement: tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, 'wasm');
  if (current !== undefined && current.kernelFunc !== replacement && !stock.has(kernelName)) {
    stock.set(kernelName, current.kernelFunc);
  }
}

export function stockKernel(kernelName: string): tf.KernelFunc {
  const remembered = stock.get(kernelName);
  if (remembered !== undefined) return remembered;
  const current = tf.getKernel(kernelName, 'wasm');
  if (current === undefined) throw new Error(`The wasm backend has no '${kernelName}' kernel`);
  return current.kernelFunc;
}

/** Runs a single-output stock kernel. */
export function runStockKernel(kernelName: string, params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const result = stockKernel(kernelName)(params);
  if (Array.isArray(result)) throw new Error(`${kernelName} returned several outputs`);
  return result;
}
