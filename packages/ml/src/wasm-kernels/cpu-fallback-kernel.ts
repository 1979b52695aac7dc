/**
 * Runs a kernel the wasm backend lacks on the cpu backend, copying tensors across. Slow, but it lets
 * layers such as DepthwiseConv2D and Embedding train on wasm instead of failing with a missing kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Kernels that tfjs-layers training can reach and tfjs-backend-wasm 4.22 does not provide. */
export const CPU_FALLBACK_KERNELS = [
  tf.DepthwiseConv2dNativeBackpropFilter,
  tf.DepthwiseConv2dNativeBackpropInput,
  tf.UnsortedSegmentSum,
] as const;

export function cpuFallbackKernel(kernelName: string): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    const cpu = tf.findBackend('cpu');
    if (cpuKernel === undefined || cpu === null) {
      throw new Error(`Kernel '${kernelName}' is not available on wasm, and the cpu fallback is missing`);
    }
    const cpuInputs: tf.NamedTensorInfoMap = {};
    for (const [name, info] of Object.entries(inputs)) {
      if (info === undefined) continue;
      const values = wasm.readSync(info.dataId);
      cpuInputs[name] = { dataId: cpu.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
    }
    try {
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
      const outputs = Array.isArray(result) ? result : [result];
      const copied = outputs.map((output) => {
        const values = cpu.readSync(output.dataId);
        cpu.disposeData(output.dataId);
        return wasm.makeOutput(output.shape, output.dtype, undefined, values);
      });
      return Array.isArray(result) ? copied : copied[0]!;
    } finally {
      for (const info of Object.values(cpuInputs)) if (info !== undefined) cpu.disposeData(info.dataId);
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc };
}
