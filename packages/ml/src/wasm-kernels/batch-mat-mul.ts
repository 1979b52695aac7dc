/**
 * BatchMatMul for the wasm backend. The stock kernel reaches XNNPACK only when neither operand is
 * transposed and both have batch 1; otherwise it runs a naive loop 5-10x slower. Dense-layer gradients
 * are exactly the transposed cases, so this materialises transposes and folds a's batch into its rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStockKernel } from './stock-kernels.js';
import { release, reshaped, transposeLastTwo } from './wasm-heap.js';

function batchMatMul(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const plainAlready = !transposeA && !transposeB && batchA === 1;
  // Batched b has no fast path either way; leave it, other dtypes, and odd ranks to the stock kernel.
  if (plainAlready || batchB !== 1 || aRank < 2 || bRank < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStockKernel(tf.BatchMatMul, args);
  }
  const rows = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const inner = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const innerB = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const columns = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  if (inner !== innerB) return runStockKernel(tf.BatchMatMul, args); // it reports the mismatch
  const outerShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));

  const aPlain = transposeA ? transposeLastTwo(backend, reshaped(a, [batchA, inner, rows])) : a;
  const bPlain = transposeB ? transposeLastTwo(backend, reshaped(b, [1, columns, inner])) : b;
  const product = runStockKernel(tf.BatchMatMul, {
    inputs: { a: reshaped(aPlain, [1, batchA * rows, inner]), b: reshaped(bPlain, [1, inner, columns]) },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
  if (transposeA) release(backend, aPlain);
  if (transposeB) release(backend, bPlain);
  return { dataId: product.dataId, shape: [...outerShape, rows, columns], dtype: 'float32' };
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as tf.KernelFunc,
};
