/** Completes the wasm backend for training: adds the kernels tfjs-backend-wasm 4.22 lacks, and replaces slow or faulty ones. */
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { CPU_FALLBACK_KERNELS, cpuFallbackKernel } from './cpu-fallback-kernel.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { rememberStockKernel } from './stock-kernels.js';

/**
 * Must run after '@tensorflow/tfjs-backend-wasm' is imported (its import registers the stock kernels,
 * which would otherwise overwrite these). Safe to call more than once.
 */
export function registerWasmKernels(): string[] {
  const registered: string[] = [];
  for (const config of [conv2DBackpropFilterConfig, conv2DBackpropInputConfig, batchMatMulConfig, maxPoolGradConfig]) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    rememberStockKernel(config.kernelName, config.kernelFunc);
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    // Keep the stock setup: it binds the C++ entry points that ours call through the stock kernel.
    tf.registerKernel({ ...config, setupFunc: current?.setupFunc, disposeFunc: current?.disposeFunc });
    registered.push(config.kernelName);
  }
  for (const kernelName of CPU_FALLBACK_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined || tf.getKernel(kernelName, 'cpu') === undefined) continue;
    tf.registerKernel(cpuFallbackKernel(kernelName));
    registered.push(`${kernelName} (cpu fallback)`);
  }
  return registered;
}
